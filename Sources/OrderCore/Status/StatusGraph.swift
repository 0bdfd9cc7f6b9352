/// The statuses an order can have and the transitions between them.
///
/// The default graph (a Danish shop, see `DefaultStatuses`) can be extended with custom
/// statuses and transitions (`status.define`). Moving along an edge that does not exist is
/// refused with a `policy` error naming both statuses and the allowed targets.
public struct StatusGraph: Sendable, Equatable {
    /// Definitions by key.
    public private(set) var statuses: [String: StatusDefinition]
    /// Keys in display order (built-ins first, then custom ones in definition order).
    public private(set) var order: [String]

    public init(_ definitions: [StatusDefinition]) {
        statuses = [:]
        order = []
        for d in definitions { upsert(d) }
    }

    /// The built-in Danish graph.
    public static let defaults = StatusGraph(DefaultStatuses.all)

    /// The status a new order starts in.
    public static let initialStatus = "pending_payment"

    /// The definition of `key`, if it exists.
    public subscript(key: String) -> StatusDefinition? { statuses[key] }

    /// Adds or replaces a definition.
    public mutating func upsert(_ d: StatusDefinition) {
        if statuses[d.key] == nil { order.append(d.key) }
        statuses[d.key] = d
    }

    /// Adds the edge `from → to` (both must exist).
    public mutating func addTransition(from: String, to: String) {
        guard var d = statuses[from], !d.transitions.contains(to) else { return }
        d.transitions.append(to)
        statuses[from] = d
    }

    /// Whether `from → to` is allowed.
    public func allows(from: String, to: String) -> Bool { statuses[from]?.transitions.contains(to) ?? false }

    /// Refuses an unknown target (`not_found`) or a missing edge (`policy`, naming both
    /// statuses and the allowed targets).
    public func checkTransition(from: String, to: String, order number: Int64) throws(OrderError) {
        guard statuses[to] != nil else {
            throw OrderError(.notFound, "status: unknown status '\(to)'; known statuses: \(order.joined(separator: ", "))", field: "status")
        }
        guard allows(from: from, to: to) else {
            let allowed = statuses[from]?.transitions ?? []
            throw OrderError(.policy,
                "order \(number) cannot move from '\(from)' to '\(to)'; from '\(from)' it may move to: "
                    + (allowed.isEmpty ? "nothing (final status)" : allowed.joined(separator: ", ")),
                field: "status")
        }
    }

    /// All definitions in display order.
    public var all: [StatusDefinition] { order.compactMap { statuses[$0] } }
}
