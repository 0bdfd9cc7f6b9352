import Testing
@testable import OrderCore

/// Runs `body` and checks that it throws an `OrderError` with `code`, whose message contains
/// every one of `fragments` and (when given) whose `field` is `field`. Returns the error.
@discardableResult
func expectOrderError(
    _ code: ErrorCode, _ fragments: String..., field: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> OrderError? {
    do {
        try body()
        Issue.record("expected an OrderError(\(code.name)), but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let e as OrderError {
        #expect(e.code == code, "code: got \(e.code.name), expected \(code.name) — \(e.message)", sourceLocation: sourceLocation)
        for f in fragments {
            #expect(e.message.contains(f), "message \"\(e.message)\" does not contain \"\(f)\"", sourceLocation: sourceLocation)
        }
        if let field {
            #expect(e.field == field, "field: got \(e.field ?? "nil"), expected \(field) — \(e.message)", sourceLocation: sourceLocation)
        }
        return e
    } catch {
        Issue.record("expected an OrderError(\(code.name)), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A small deterministic PRNG (SplitMix64) so property-style loops are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builders for domain values used across the tests.
enum Fixture {
    /// 2026-11-28T10:00:00Z, the "now" of most tests.
    static let t0 = Timestamp(year: 2026, month: 11, day: 28, hour: 10)

    static let customer = Customer(name: "Mette Hansen", email: "mette@example.dk", language: .da)

    static func order(
        _ lines: [OrderLine], number: Int64 = 1001, currency: Currency = .dkk,
        delivery: Delivery = .shipping(carrier: "gls"), language: Language = .da
    ) -> Order {
        var c = customer
        c.language = language
        return Order(number: number, reference: "WEB-\(number)", status: "received", customer: c, lines: lines,
                     currency: currency, delivery: delivery, createdAt: t0)
    }

    static func aggregate(
        _ lines: [OrderLine], payments: [PaymentTransaction] = [], shipments: [Shipment] = [],
        documents: [InvoiceDocument] = [], language: Language = .da
    ) -> OrderAggregate {
        OrderAggregate(order: order(lines, language: language), payments: PaymentLedger(payments),
                       shipments: shipments, documents: documents)
    }

    static func auth(_ id: Int64, _ amount: Int64, method: String = "visa", at: Timestamp = t0,
                     expiresAt: Timestamp? = nil) -> PaymentTransaction {
        PaymentTransaction(id: id, kind: .authorize, amount: amount, method: method, reference: "auth-\(id)", at: at,
                           expiresAt: expiresAt ?? AuthorizationValidity.defaults.expiry(method: method, at: at))
    }

    static func capture(_ id: Int64, _ amount: Int64, on auth: Int64, at: Timestamp = t0) -> PaymentTransaction {
        PaymentTransaction(id: id, kind: .capture, amount: amount, method: "visa", idempotencyKey: "cap-\(id)",
                           authorization: auth, at: at)
    }

    static func void(_ id: Int64, _ amount: Int64, on auth: Int64, at: Timestamp = t0) -> PaymentTransaction {
        PaymentTransaction(id: id, kind: .void, amount: amount, method: "visa", authorization: auth, at: at)
    }

    static func refund(_ id: Int64, _ amount: Int64, on auth: Int64, at: Timestamp = t0) -> PaymentTransaction {
        PaymentTransaction(id: id, kind: .refund, amount: amount, method: "visa", authorization: auth, at: at)
    }

    static func shipment(_ id: Int64, _ lines: [(String, Int64)], state: ShipmentState = .created,
                         method: ShipmentMethod = .carrier) -> Shipment {
        Shipment(id: id, order: 1001, method: method, carrier: method == .carrier ? "gls" : nil,
                 lines: lines.map { LineQuantity(sku: $0.0, qty: $0.1) }, state: state, createdAt: t0,
                 handedOverAt: state == .created ? nil : t0.adding(seconds: 3600),
                 deliveredAt: state == .delivered ? t0.adding(days: 1) : nil)
    }

    static func invoice(_ number: Int64, _ lines: [InvoiceLine]) -> InvoiceDocument {
        InvoiceDocument(kind: .invoice, number: number, reference: "F-\(number)", order: 1001, orderReference: "WEB-1001",
                        issuedAt: t0, seller: .unset, buyerName: customer.name, buyerAddress: nil, currency: .dkk,
                        lines: lines)
    }

    static func creditNote(_ number: Int64, against invoice: Int64, _ lines: [InvoiceLine]) -> InvoiceDocument {
        InvoiceDocument(kind: .credit_note, number: number, reference: "K-\(number)", order: 1001,
                        orderReference: "WEB-1001", issuedAt: t0, seller: .unset, buyerName: customer.name,
                        buyerAddress: nil, currency: .dkk, lines: lines, creditsInvoice: invoice, reason: "return")
    }

    // MARK: - A furniture order used by the capture and invoice tests

    /// SOFA 1 × 899.00, CHAIR 2 × 100.00, LAMP 3 × 30.00, ENGRAVING 1 × 59.90 (prepayable).
    /// Total 1248.90 DKK.
    static let furniture: [OrderLine] = [
        OrderLine(sku: "SOFA", name: "Sofa", qty: 1, unitPrice: 89_900),
        OrderLine(sku: "CHAIR", name: "Chair", qty: 2, unitPrice: 10_000),
        OrderLine(sku: "LAMP", name: "Lamp", qty: 3, unitPrice: 3_000),
        OrderLine(sku: "ENGRAVING", name: "Engraving", qty: 1, unitPrice: 5_990, prepayable: true),
    ]
    static let furnitureTotal: Int64 = 124_890

    /// The chairs are handed over; the sofa and one lamp are packed (shipment created) but
    /// still in the house.
    static let furnitureShipments: [Shipment] = [
        shipment(1, [("CHAIR", 2)], state: .handed_over),
        shipment(2, [("SOFA", 1), ("LAMP", 1)], state: .created),
    ]
}
