import OrderCore

/// Which returns `findReturns` selects; nil fields do not filter.
public struct ReturnFilter: Sendable {
    public var order: Int64?
    public var states: [ReturnState]?
    public var withdrawal: Bool?
    public var createdFrom: Timestamp?
    public var createdTo: Timestamp?
    /// Only returns whose deadline is at or before this time (returns without one never match).
    public var deadlineBy: Timestamp?
    public init() {}
}
