/// An order together with its ledgers: payment rows, shipments, invoices and credit notes.
/// Every rule that needs more than the order itself works on this value; the store loads and
/// saves it within one transaction.
public struct OrderAggregate: Sendable, Equatable {
    public var order: Order
    public var payments: PaymentLedger
    public var shipments: [Shipment]
    /// Invoices and credit notes, in issue order.
    public var documents: [InvoiceDocument]

    public init(order: Order, payments: PaymentLedger = PaymentLedger(), shipments: [Shipment] = [], documents: [InvoiceDocument] = []) {
        self.order = order
        self.payments = payments
        self.shipments = shipments
        self.documents = documents
    }

    /// Derived fulfilment state.
    public var fulfilmentState: FulfilmentState { FulfilmentState.derive(lines: order.goods, shipments: shipments) }

    /// Derived payment state at `now` (`nil`: ignoring expiry, the stored state): the ledger's
    /// state, except that an authorised order whose authorisations (less voids) hold less than
    /// its total is `partially_authorized`.
    public func paymentState(at now: Timestamp?) -> PaymentState {
        let state = payments.state(at: now)
        return state == .authorized && payments.authorized - payments.voided < order.total ? .partially_authorized : state
    }

    /// What is left to authorise at `now`: the total less what is captured and validly
    /// authorised (never negative). Non-zero for a `partially_authorized` order; also after an
    /// authorisation expired or was voided without a capture.
    public func leftToAuthorize(at now: Timestamp) -> Int64 { max(0, order.total - payments.committed(at: now)) }

    /// Units per SKU in shipments so far.
    public var shippedQuantities: [String: Int64] { FulfilmentState.shippedQuantities(shipments) }

    /// Units per SKU on invoices, minus those on credit notes.
    public var invoicedQuantities: [String: Int64] {
        var q: [String: Int64] = [:]
        for d in documents {
            for l in d.lines where !l.sku.isEmpty {
                q[l.sku, default: 0] += d.kind == .invoice ? l.qty : 0
            }
        }
        return q
    }

    /// Total of all invoices (credit notes not subtracted).
    public var invoicedTotal: Int64 { documents.filter { $0.kind == .invoice }.reduce(0) { $0 + $1.total } }

    /// The invoices, in issue order.
    public var invoices: [InvoiceDocument] { documents.filter { $0.kind == .invoice } }
    /// The credit notes, in issue order.
    public var creditNotes: [InvoiceDocument] { documents.filter { $0.kind == .credit_note } }

    /// What has already been credited against invoice `number`: units per SKU and the amount
    /// of amount-only credits.
    public func credited(against number: Int64) -> (units: [String: Int64], total: Int64) {
        var units: [String: Int64] = [:]
        var total: Int64 = 0
        for d in documents where d.kind == .credit_note && d.creditsInvoice == number {
            total += d.total
            for l in d.lines where !l.sku.isEmpty && !l.sku.hasPrefix("credit:") { units[l.sku, default: 0] += l.qty }
        }
        return (units, total)
    }

    /// The full order as `order.get` returns it.
    public func json(now: Timestamp, statusLabel: String? = nil) -> JSON {
        let vat = order.vat
        var o = JSONObject()
        o.reserveCapacity(32)
        o.appendNew("order", .int(order.number))
        o.appendNew("reference", .string(order.reference))
        o.appendNew("status", .string(order.status))
        if let statusLabel { o.appendNew("status_label", .string(statusLabel)) }
        // An authorised order whose total grew (order.edit) has the difference left to authorise.
        o.appendNew("payment_state", .string(paymentState(at: now).rawValue))
        o.appendNew("fulfilment_state", .string(fulfilmentState.rawValue))
        o.appendNew("currency", .string(order.currency.code))
        o.appendNew("total", .int(order.total))
        o.appendNew("total_vat", .int(vat.vat))
        o.appendNew("total_net", .int(vat.net))
        o.appendNew("authorized", .int(payments.authorized))
        o.appendNew("captured", .int(payments.captured))
        o.appendNew("refunded", .int(payments.refunded))
        o.appendNew("voided", .int(payments.voided))
        o.appendNew("left_to_authorize", .int(leftToAuthorize(at: now)))
        o.appendNew("uninvoiced_captured", .int(CapturePlan.uninvoicedCaptured(self)))
        o.appendNew("money_difference", .int(MoneyInvariant.difference(self)))
        o.appendNew("authorization_expires_at", .optional(payments.earliestOpenExpiry?.iso8601))
        o.appendNew("notify", .bool(order.notify))
        o.appendNew("customer", order.customer.json)
        o.appendNew("delivery", order.delivery.json)
        o.appendNew("lines", .array(order.lines.map(\.json)))
        o.appendNew("fees", .array(order.fees.map(\.json)))
        o.appendNew("discounts", .array(order.discounts.map(\.json)))
        o.appendNew("discount_total", .int(order.discountTotal))
        o.appendNew("reverse_charge", .bool(order.reverseCharge))
        o.appendNew("vat_country", .optional(order.vatCountry))
        o.appendNew("tags", .array(order.tags.map { .string($0) }))
        o.appendNew("note", .string(order.note))
        o.appendNew("payments", .array(payments.rows.map(\.json)))
        o.appendNew("shipments", .array(shipments.map(\.json)))
        o.appendNew("invoices", .array(documents.map(\.summary)))
        o.appendNew("version", .int(order.version))
        o.appendNew("created_at", .string(order.createdAt.iso8601))
        o.appendNew("updated_at", .string(order.updatedAt.iso8601))
        return .object(o)
    }
}
