import OrderCore

/// One transaction on a store, handed to the closure of `StoreBackend.write` or `read`: every
/// operation the engine's commands use. Valid only inside that closure; not to be kept or
/// shared between threads. `package`-scoped: only the engine's commands call it.
///
/// Rules every backend keeps (the engine relies on them, tests check them on each backend):
/// - Ledgers (payments, documents, timeline) are append-only; a rejected write changes nothing.
/// - `drawNumber` is gapless and unique across concurrent writers (a rollback returns it).
/// - `lockOrder` is called by every command that changes an order or records an effect for it,
///   before it reads what it decides on: after it returns, no other transaction changes that
///   order until this one ends (a no-op where writers are serialised, as on SQLite).
/// - Idempotency keys are unique across effects and payment rows (`conflict` otherwise).
package protocol StoreTransaction {
    /// The gateway effects recorded in this transaction are sent to: its identity, or the
    /// error to refuse them with when no gateway is configured (nil: recorded unnamed).
    var effectGateway: Result<String, OrderError>? { get set }

    // MARK: - Transaction control

    /// Runs `body` in a savepoint: its writes are undone if it throws (and the error rethrown),
    /// kept if it returns. Savepoints nest.
    func savepoint<T>(_ body: () throws -> T) throws -> T
    /// Locks order `number` against concurrent writers until the transaction ends (see above).
    /// An order that does not exist is not an error (the caller finds out when it loads it).
    func lockOrder(_ number: Int64) throws
    /// The content checksum (see `OrderStoreBackend.contentChecksum`).
    func contentChecksum() throws -> String

    // MARK: - Orders

    /// Inserts a new order (its number already drawn) with its derived columns and its document.
    func insertOrder(_ a: OrderAggregate) throws
    /// Writes an order's changed fields and re-derives its state columns from the ledgers;
    /// `conflict` when `expectedVersion` is stale. `previous` (the order as stored, when the
    /// caller has it) lets the backend write only what changed; `documentChanged` says whether
    /// the customer, lines, delivery, tags or note changed.
    func updateOrder(_ a: OrderAggregate, expectedVersion: Int64, documentChanged: Bool, previous: OrderAggregate?) throws
    /// An order with its payments, shipments and documents, or nil.
    func loadAggregate(_ number: Int64) throws -> OrderAggregate?
    /// Many orders at once; numbers that do not exist are absent from the result.
    func loadAggregates(_ numbers: [Int64]) throws -> [Int64: OrderAggregate]
    /// Whether order `number` exists.
    func orderExists(_ number: Int64) throws -> Bool

    // MARK: - Queries

    /// One keyset page of orders matching `filter` and the cursor of the next page (nil on the last).
    func findOrders(_ filter: OrderFilter, page: OrderPage, now: Timestamp) throws -> (orders: [OrderSummary], next: String?)
    /// The numbers of every order matching `filter`, ascending, at most `limit` (nil: all).
    func findOrderNumbers(_ filter: OrderFilter, now: Timestamp, limit: Int64?) throws -> [Int64]
    /// How many orders match `filter`.
    func countOrders(_ filter: OrderFilter, now: Timestamp) throws -> Int64
    /// Numbers of orders with open authorisations running out before `before`, earliest first.
    func ordersWithAuthorizationsExpiring(before: Timestamp, limit: Int) throws -> [Int64]
    /// Invoices and credit notes, filtered and paged by number.
    func findDocuments(kind: DocumentKind?, order: Int64?, issuedFrom: Timestamp?, issuedTo: Timestamp?, after: Int64?,
                       limit: Int) throws -> [InvoiceDocument]

    // MARK: - Ledgers

    /// The order whose payment row carries idempotency key `key`, or nil.
    func orderOfPayment(idempotencyKey key: String) throws -> Int64?
    /// Appends a payment row; returns it with its id.
    func appendPayment(order: Int64, _ p: PaymentTransaction) throws -> PaymentTransaction
    /// Inserts a shipment; returns it with its id.
    func insertShipment(_ s: Shipment) throws -> Shipment
    /// Writes a shipment's state and times.
    func updateShipment(_ s: Shipment) throws
    /// The order a shipment belongs to, or nil when there is no such shipment.
    func orderOfShipment(_ id: Int64) throws -> Int64?
    /// Inserts an issued invoice or credit note (append-only).
    func insertDocument(_ d: InvoiceDocument) throws
    /// One document by kind and number.
    func document(_ kind: DocumentKind, _ number: Int64) throws -> InvoiceDocument?
    /// Appends a timeline event.
    func appendTimeline(_ e: TimelineEvent) throws
    /// An order's events, oldest first.
    func timeline(of order: Int64) throws -> [TimelineEvent]

    // MARK: - Effects

    /// Records a pending effect sent to `effectGateway`; returns it with its id (`conflict`
    /// when its key was used before).
    func insertEffect(_ e: EffectRecord) throws -> EffectRecord
    /// Marks a pending effect succeeded or failed; false when it was no longer pending.
    @discardableResult
    func resolveEffect(id: Int64, state: String, result: JSON, at: Timestamp) throws -> Bool
    /// Sets an effect's final state whatever it was (the gateway's answer is the truth).
    func exec(forceResolve id: Int64, state: String, result: JSON, at: Timestamp) throws
    /// One effect by id.
    func effect(id: Int64) throws -> EffectRecord?
    /// The effect recorded under `key`, if any.
    func effect(key: String) throws -> EffectRecord?
    /// The sum of pending effect amounts of `kind` on `order` (money in flight).
    func pendingAmount(order: Int64, kind: String) throws -> Int64
    /// Pending effects created at or before `before`, oldest first.
    func pendingEffects(createdBefore before: Timestamp) throws -> [EffectRecord]
    /// Up to `limit` pending effects, oldest first.
    func pendingEffects(limit: Int) throws -> [EffectRecord]
    /// Pending effects of `kind` on `order`, oldest first.
    func pendingEffects(order: Int64, kind: String) throws -> [EffectRecord]
    /// The parts of a multi-part effect: under `group`, `group#2`, `group#3`, … in order.
    func effects(group: String) throws -> [EffectRecord]

    // MARK: - Outbox

    /// Queues a message; returns its id.
    func enqueue(_ m: OutboxMessage) throws -> Int64
    /// Messages by status (nil: all), optionally of one order, oldest first, after id `after`.
    func outbox(status: String?, order: Int64?, after: Int64, limit: Int) throws -> [OutboxMessage]
    /// Claims up to `limit` due, unclaimed pending messages for `lease` seconds under `token`,
    /// fixing each one's Message-ID at its first claim; two workers never hold the same message.
    func claimOutbox(limit: Int, now: Timestamp, lease: Int64, token: String,
                     messageID: (Int64, Timestamp) -> String) throws -> [OutboxMessage]
    /// Records that message `id` (claimed under `token`) was accepted; false when the claim was lost.
    func recordSent(_ id: Int64, token: String, at: Timestamp) throws -> Bool
    /// Records a failed attempt (pending until `retryAt`, or `failed` for good without it).
    func recordFailure(_ id: Int64, token: String, error: String, retryAt: Timestamp?) throws -> Bool
    /// Number of messages with `status`.
    func outboxCount(status: String) throws -> Int64
    /// Marks messages sent; returns the ids that were pending; `not_found` for an unknown id.
    func ackOutbox(_ ids: [Int64], at: Timestamp) throws -> [Int64]

    // MARK: - Configuration and number series

    /// A counter bumped by every settings or status change (also by other processes/servers).
    func configGeneration() throws -> Int64
    /// The configuration generation for a caller whose cached configuration is of generation
    /// `cached`: the current generation, or nil when the store checks `cached` later, with the
    /// transaction's next round trip (PostgreSQL: no round trip of its own). After a nil the
    /// caller uses its cache; should the generation turn out to differ, the store rolls the
    /// transaction back and runs its body again, and then answers at once.
    func configGeneration(expecting cached: Int64) throws -> Int64?
    /// Makes the transaction commit only while the configuration generation is still
    /// `generation` (the one the caller's configuration is of); should another process or server
    /// change it before this transaction commits, the store rolls the transaction back and runs
    /// its body again. A store whose writers cannot overlap (SQLite) has nothing to do.
    func guardConfigGeneration(_ generation: Int64) throws
    /// Marks the configuration changed.
    func bumpConfigGeneration() throws
    /// All stored settings (only those set; defaults live in the engine).
    func loadSettings() throws -> [String: JSON]
    /// Stores one setting (replacing any earlier value).
    func saveSetting(_ key: String, _ value: JSON) throws
    /// Custom and changed status definitions, in the order they were first defined.
    func loadStatusDefinitions() throws -> [StatusDefinition]
    /// Stores a status definition (insert or replace, keeping its position).
    func saveStatusDefinition(_ d: StatusDefinition) throws
    /// Draws the next number of `series` in this transaction, under the series' row lock:
    /// gapless and unique across concurrent writers; a rollback returns it.
    func drawNumber(_ series: NumberSeries) throws -> Int64
    /// The start and next number of `series`.
    func numberSeriesState(_ series: NumberSeries) throws -> (start: Int64, next: Int64)
    /// The start and next number of every series (`settings.get`): one read where a store
    /// can (a round trip on PostgreSQL), else ``numberSeriesState(_:)`` per series.
    func numberSeriesStates() throws -> [NumberSeries: (start: Int64, next: Int64)]
    /// Sets the start of an unused series (`conflict` once a number was issued, unless unchanged).
    func setNumberSeriesStart(_ series: NumberSeries, _ start: Int64) throws

    // MARK: - Returns

    /// Inserts a new return (its number already drawn).
    func insertReturn(_ r: GoodsReturn) throws
    /// Writes a changed return (state, refund key, document); `storage` if it vanished.
    func updateReturn(_ r: GoodsReturn) throws
    /// One return by number, or nil.
    func goodsReturn(_ number: Int64) throws -> GoodsReturn?
    /// The returns of an order, oldest first.
    func returns(of order: Int64) throws -> [GoodsReturn]
    /// The return whose refund was sent under effect group `key`, or nil.
    func goodsReturn(refundKey key: String) throws -> GoodsReturn?
    /// Returns matching `f` with a number above `after`, in number order, at most `limit`.
    func findReturns(_ f: ReturnFilter, after: Int64?, limit: Int) throws -> [GoodsReturn]
}

extension StoreTransaction {
    /// `updateOrder` with the document rewritten and no previous state (every column written).
    package func updateOrder(_ a: OrderAggregate, expectedVersion: Int64, documentChanged: Bool = true) throws {
        try updateOrder(a, expectedVersion: expectedVersion, documentChanged: documentChanged, previous: nil)
    }

    /// ``configGeneration(expecting:)`` for stores whose reads cost no round trip: reads it now.
    package func configGeneration(expecting cached: Int64) throws -> Int64? { try configGeneration() }

    /// ``guardConfigGeneration(_:)`` for a store whose write transactions are serialised whole
    /// (SQLite's `BEGIN IMMEDIATE`): the generation read at their start holds until they commit.
    package func guardConfigGeneration(_ generation: Int64) throws {}

    /// ``numberSeriesState(_:)`` for each series, for stores whose reads cost no round trip.
    package func numberSeriesStates() throws -> [NumberSeries: (start: Int64, next: Int64)] {
        var out: [NumberSeries: (start: Int64, next: Int64)] = [:]
        for s in NumberSeries.allCases { out[s] = try numberSeriesState(s) }
        return out
    }

}
