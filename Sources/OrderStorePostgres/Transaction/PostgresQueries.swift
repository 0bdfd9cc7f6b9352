import OrderCore
import OrderStorage
import PostgresClient

// Placeholders: the branch issue-16-queries writes the real file at this path.
extension PostgresTransaction {
    /// One keyset page of orders matching `filter` (pending: issue-16-queries).
    package func findOrders(_ filter: OrderFilter, page: OrderPage, now: Timestamp) throws -> (orders: [OrderSummary], next: String?) {
        throw OrderError(.storage, "PG-QUERIES: pending")
    }

    /// The numbers of every order matching `filter` (pending: issue-16-queries).
    package func findOrderNumbers(_ filter: OrderFilter, now: Timestamp, limit: Int64?) throws -> [Int64] {
        throw OrderError(.storage, "PG-QUERIES: pending")
    }

    /// How many orders match `filter` (pending: issue-16-queries).
    package func countOrders(_ filter: OrderFilter, now: Timestamp) throws -> Int64 {
        throw OrderError(.storage, "PG-QUERIES: pending")
    }

    /// Orders with authorisations running out before `before` (pending: issue-16-queries).
    package func ordersWithAuthorizationsExpiring(before: Timestamp, limit: Int) throws -> [Int64] {
        throw OrderError(.storage, "PG-QUERIES: pending")
    }

    /// Invoices and credit notes, filtered and paged (pending: issue-16-queries).
    package func findDocuments(kind: DocumentKind?, order: Int64?, issuedFrom: Timestamp?, issuedTo: Timestamp?, after: Int64?,
                               limit: Int) throws -> [InvoiceDocument] {
        throw OrderError(.storage, "PG-QUERIES: pending")
    }

    /// Returns matching `f` (pending: issue-16-queries).
    package func findReturns(_ f: ReturnFilter, after: Int64?, limit: Int) throws -> [GoodsReturn] {
        throw OrderError(.storage, "PG-QUERIES: pending")
    }
}
