import OrderCore

/// What `order.find` and `order.count` select. Every field is optional; set fields combine
/// with AND, lists within a field with OR.
public struct OrderFilter: Sendable, Equatable {
    public var statuses: [String]? = nil
    public var paymentStates: [PaymentState]? = nil
    public var fulfilmentStates: [FulfilmentState]? = nil
    /// Created at or after.
    public var createdFrom: Timestamp? = nil
    /// Created before.
    public var createdTo: Timestamp? = nil
    /// Case-insensitive substring of number, reference, customer name, e-mail, address or SKU.
    public var text: String? = nil
    /// Orders carrying every one of these tags.
    public var tags: [String]? = nil
    public var deliveryMethod: String? = nil
    public var carrier: String? = nil
    /// Orders with a discount of this code (case-insensitive).
    public var discountCode: String? = nil
    /// Only these order numbers.
    public var numbers: [Int64]? = nil

    public init() {}
}

/// The sort key of `order.find`; ties are broken by order number, which also makes keyset
/// paging stable while orders are inserted.
public enum OrderSort: String, Sendable, CaseIterable {
    case number, created_at, updated_at, total
}

/// A page request: sort, direction, size and the cursor returned by the previous page.
public struct OrderPage: Sendable, Equatable {
    public var sort: OrderSort = .number
    public var descending = false
    public var limit = 50
    /// The `next` cursor of the previous page (`"<sort value>:<order number>"`).
    public var after: String? = nil

    public init(sort: OrderSort = .number, descending: Bool = false, limit: Int = 50, after: String? = nil) {
        self.sort = sort
        self.descending = descending
        self.limit = limit
        self.after = after
    }
}
