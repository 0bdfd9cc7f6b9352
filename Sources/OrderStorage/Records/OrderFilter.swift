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

extension OrderPage {
    /// The (sort value, order number) the page starts after, from the cursor `after`; nil on
    /// the first page. `invalid`, naming `after`, for text that is not a cursor `order.find`
    /// returned. Every backend pages by this one cursor format.
    package func position() throws -> (value: Int64, number: Int64)? {
        guard let after else { return nil }
        let parts = after.split(separator: ":")
        guard parts.count == 2, let v = Int64(parts[0]), let n = Int64(parts[1]) else {
            throw OrderError.invalid("after", "'\(after)' is not a cursor returned by order.find")
        }
        return (v, n)
    }

    /// The page from the rows a backend fetched with `LIMIT limit + 1`: the first `limit`
    /// rows, and the cursor after the last of them when there were more (nil on the last page).
    package func page(of fetched: [OrderSummary]) -> (orders: [OrderSummary], next: String?) {
        guard fetched.count > limit else { return (fetched, nil) }
        let rows = fetched.dropLast()
        guard let last = rows.last else { return ([], nil) }
        let v: Int64 = switch sort {
        case .number: last.number
        case .created_at: last.createdAt.seconds
        case .updated_at: last.updatedAt.seconds
        case .total: last.total
        }
        return (Array(rows), "\(v):\(last.number)")
    }
}
