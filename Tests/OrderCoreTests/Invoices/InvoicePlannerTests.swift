import Testing
@testable import OrderCore

@Suite("Invoice planner")
struct InvoicePlannerTests {
    typealias F = Fixture

    private func summary(_ lines: [InvoiceLine]) -> [String] { lines.map { "\($0.sku)×\($0.qty)" } }

    private func invoiceLine(_ sku: String, _ qty: Int64) -> InvoiceLine {
        let l = F.furniture.first { $0.sku == sku }!
        return InvoiceLine(sku: l.sku, name: l.name, qty: qty, unitPrice: l.unitPrice, vatRate: l.vatRate)
    }

    // MARK: - Invoicing captured goods

    @Test("after a partial hand-over the invoice carries the handed-over and prepayable goods")
    func partialHandOver() {
        let a = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal), F.capture(2, 25_990, on: 1)],
                            shipments: F.furnitureShipments)
        let lines = InvoicePlanner.linesForCapturedGoods(a, policy: .onHandOver)
        #expect(summary(lines) == ["CHAIR×2", "ENGRAVING×1"])
        #expect(lines.reduce(0) { $0 + $1.gross } == 25_990)
        #expect(lines[0].unitPrice == 10_000)
        #expect(lines[0].vatRate == 2500)
        #expect(lines[0].name == "Chair")
    }

    @Test("the next invoice carries only goods not yet invoiced")
    func secondInvoice() {
        var shipments = F.furnitureShipments
        shipments[1].state = .handed_over  // the sofa and one lamp left the house
        let a = F.aggregate(
            F.furniture, payments: [F.auth(1, F.furnitureTotal), F.capture(2, 25_990, on: 1), F.capture(3, 92_900, on: 1)],
            shipments: shipments, documents: [F.invoice(1, [invoiceLine("CHAIR", 2), invoiceLine("ENGRAVING", 1)])])
        #expect(a.invoicedTotal == 25_990)
        #expect(a.invoicedQuantities == ["CHAIR": 2, "ENGRAVING": 1])
        #expect(summary(InvoicePlanner.linesForCapturedGoods(a, policy: .onHandOver)) == ["SOFA×1", "LAMP×1"])
    }

    @Test("a capture that is not a whole number of units leaves the rest for the next invoice")
    func partialBudget() {
        let a = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal), F.capture(2, 15_000, on: 1)],
                            shipments: F.furnitureShipments)
        // 150.00 buys one chair (100.00); the 59.90 engraving does not fit in the 50.00 left.
        #expect(summary(InvoicePlanner.linesForCapturedGoods(a, policy: .onHandOver)) == ["CHAIR×1"])

        let b = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal), F.capture(2, 15_000, on: 1), F.capture(3, 10_990, on: 1)],
                            shipments: F.furnitureShipments, documents: [F.invoice(1, [invoiceLine("CHAIR", 1)])])
        #expect(summary(InvoicePlanner.linesForCapturedGoods(b, policy: .onHandOver)) == ["CHAIR×1", "ENGRAVING×1"])
    }

    @Test("a cheaper later line is taken when an earlier one does not fit")
    func laterLineFits() {
        let a = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal), F.capture(2, 6_000, on: 1)],
                            shipments: F.furnitureShipments)
        #expect(summary(InvoicePlanner.linesForCapturedGoods(a, policy: .onHandOver)) == ["ENGRAVING×1"])
    }

    @Test("nothing to invoice: no capture, too little, or everything captured already invoiced")
    func nothing() {
        let none = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal)], shipments: F.furnitureShipments)
        #expect(InvoicePlanner.linesForCapturedGoods(none, policy: .onHandOver).isEmpty)
        let tiny = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal), F.capture(2, 100, on: 1)], shipments: F.furnitureShipments)
        #expect(InvoicePlanner.linesForCapturedGoods(tiny, policy: .onHandOver).isEmpty)
        let done = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal), F.capture(2, 25_990, on: 1)],
                               shipments: F.furnitureShipments,
                               documents: [F.invoice(1, [invoiceLine("CHAIR", 2), invoiceLine("ENGRAVING", 1)])])
        #expect(InvoicePlanner.linesForCapturedGoods(done, policy: .onHandOver).isEmpty)
        #expect(InvoicePlanner.linesForCapturedGoods(done, policy: .anytime).isEmpty)
    }

    @Test("on_ship and anytime release more goods for the invoice")
    func otherPolicies() {
        let a = F.aggregate(F.furniture, payments: [F.auth(1, F.furnitureTotal), F.capture(2, F.furnitureTotal, on: 1)],
                            shipments: F.furnitureShipments)
        #expect(summary(InvoicePlanner.linesForCapturedGoods(a, policy: .onShip)) == ["SOFA×1", "CHAIR×2", "LAMP×1", "ENGRAVING×1"])
        #expect(summary(InvoicePlanner.linesForCapturedGoods(a, policy: .anytime)) == ["SOFA×1", "CHAIR×2", "LAMP×3", "ENGRAVING×1"])
    }

    @Test("free lines that are released are invoiced in full")
    func freeLine() {
        let lines = [OrderLine(sku: "A", name: "A", qty: 1, unitPrice: 1_000), OrderLine(sku: "GIFT", name: "Gift", qty: 2, unitPrice: 0)]
        let a = F.aggregate(lines, payments: [F.auth(1, 1_000), F.capture(2, 1_000, on: 1)],
                            shipments: [F.shipment(1, [("A", 1), ("GIFT", 2)], state: .handed_over)])
        #expect(summary(InvoicePlanner.linesForCapturedGoods(a, policy: .onHandOver)) == ["A×1", "GIFT×2"])
    }

    // MARK: - Explicit invoice lines

    @Test("requested lines must be on the order and not invoiced beyond the ordered quantity")
    func requested() throws {
        let a = F.aggregate(F.furniture, documents: [F.invoice(1, [invoiceLine("CHAIR", 2)])])
        #expect(summary(try InvoicePlanner.requestedLines(a, [LineQuantity(sku: "SOFA", qty: 1), LineQuantity(sku: "LAMP", qty: 3)])) == ["SOFA×1", "LAMP×3"])
        expectOrderError(.invalid, "order 1001 has no line with sku 'BED'", field: "lines[1].sku") {
            _ = try InvoicePlanner.requestedLines(a, [LineQuantity(sku: "SOFA", qty: 1), LineQuantity(sku: "BED", qty: 1)])
        }
        expectOrderError(.conflict, "lines[0].qty: only 0 of sku 'CHAIR' are not yet invoiced, asked for 1") {
            _ = try InvoicePlanner.requestedLines(a, [LineQuantity(sku: "CHAIR", qty: 1)])
        }
        expectOrderError(.conflict, "only 3 of sku 'LAMP'") {
            _ = try InvoicePlanner.requestedLines(a, [LineQuantity(sku: "LAMP", qty: 4)])
        }
    }

    @Test("the same SKU requested twice cannot invoice more than was ordered")
    func requestedDuplicateSKU() {
        let a = F.aggregate(F.furniture)
        expectOrderError(.conflict, "lines[1].qty", "LAMP") {
            _ = try InvoicePlanner.requestedLines(a, [LineQuantity(sku: "LAMP", qty: 2), LineQuantity(sku: "LAMP", qty: 2)])
        }
        #expect(throws: Never.self) {
            _ = try InvoicePlanner.requestedLines(a, [LineQuantity(sku: "LAMP", qty: 1), LineQuantity(sku: "LAMP", qty: 2)])
        }
    }

    // MARK: - Credit lines

    private var invoiced: OrderAggregate {
        F.aggregate(F.furniture, documents: [F.invoice(1, [invoiceLine("CHAIR", 2), invoiceLine("ENGRAVING", 1)])])
    }

    @Test("credit lines copy the invoiced prices")
    func creditLines() throws {
        let a = invoiced
        let lines = try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "CHAIR", qty: 2)])
        #expect(lines == [invoiceLine("CHAIR", 2)])
    }

    @Test("credit lines refuse more than invoiced minus credited")
    func creditTooMuch() throws {
        var a = invoiced
        expectOrderError(.conflict, "lines[0].qty: invoice F-1 has 2 of sku 'CHAIR' left to credit, asked for 3") {
            _ = try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "CHAIR", qty: 3)])
        }
        a.documents.append(F.creditNote(1, against: 1, [invoiceLine("CHAIR", 1)]))
        #expect(a.credited(against: 1).units == ["CHAIR": 1])
        expectOrderError(.conflict, "invoice F-1 has 1 of sku 'CHAIR' left to credit, asked for 2") {
            _ = try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "CHAIR", qty: 2)])
        }
        #expect(try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "CHAIR", qty: 1)]).count == 1)
        a.documents.append(F.creditNote(2, against: 1, [invoiceLine("CHAIR", 1)]))
        expectOrderError(.conflict, "has 0 of sku 'CHAIR' left to credit") {
            _ = try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "CHAIR", qty: 1)])
        }
        #expect(try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "ENGRAVING", qty: 1)]).count == 1)
    }

    @Test("the same SKU twice in one credit request cannot exceed what is left")
    func creditDuplicateSKU() {
        let a = invoiced
        expectOrderError(.conflict, "lines[1].qty", "CHAIR") {
            _ = try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "CHAIR", qty: 2), LineQuantity(sku: "CHAIR", qty: 1)])
        }
        #expect(throws: Never.self) {
            _ = try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "CHAIR", qty: 1), LineQuantity(sku: "CHAIR", qty: 1)])
        }
    }

    @Test("credit notes against other invoices and amount credits do not use up units")
    func creditOtherInvoice() throws {
        var a = invoiced
        a.documents.append(F.invoice(2, [invoiceLine("CHAIR", 0)]))
        a.documents.append(F.creditNote(1, against: 2, [invoiceLine("CHAIR", 2)]))
        a.documents.append(F.creditNote(2, against: 1, [InvoiceLine(sku: "credit:2500", name: "Kreditering (25% moms)", qty: 1, unitPrice: 1_000, vatRate: 2500)]))
        #expect(a.credited(against: 1).units.isEmpty)
        #expect(a.credited(against: 1).total == 1_000)
        #expect(try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "CHAIR", qty: 2)]).count == 1)
    }

    @Test("a SKU that is not on the invoice is invalid, naming the request line")
    func creditUnknownSKU() {
        let a = invoiced
        expectOrderError(.invalid, "invoice F-1 has no line with sku 'SOFA'", field: "lines[1].sku") {
            _ = try InvoicePlanner.creditLines(a, invoice: a.invoices[0], units: [LineQuantity(sku: "CHAIR", qty: 1), LineQuantity(sku: "SOFA", qty: 1)])
        }
    }

    // MARK: - Credit by amount

    /// 100.00 at 25 % and 50.00 at 0 %.
    private var twoRates: OrderAggregate {
        let inv = F.invoice(1, [
            InvoiceLine(sku: "A", name: "A", qty: 1, unitPrice: 10_000, vatRate: 2500),
            InvoiceLine(sku: "N", name: "Newspaper", qty: 2, unitPrice: 2_500, vatRate: 0),
        ])
        return F.aggregate([], documents: [inv])
    }

    @Test("an amount is split over the invoice's VAT rates in proportion, one line per rate")
    func creditAmountSplit() throws {
        let a = twoRates
        let lines = try InvoicePlanner.creditAmount(a, invoice: a.invoices[0], amount: 1_000, language: .da)
        #expect(lines.map(\.sku) == ["credit:0", "credit:2500"])
        #expect(lines.map(\.gross) == [333, 667])
        #expect(lines.map(\.qty) == [1, 1])
        #expect(lines.map(\.vatRate) == [0, 2500])
        #expect(lines.map(\.name) == ["Kreditering (0 % moms)", "Kreditering (25 % moms)"])
        #expect(lines.reduce(0) { $0 + $1.gross } == 1_000)

        let en = try InvoicePlanner.creditAmount(a, invoice: a.invoices[0], amount: 1_000, language: .en)
        #expect(en.map(\.name) == ["Credit (0% VAT)", "Credit (25% VAT)"])
    }

    @Test("the full invoice amount splits back into the per-rate totals")
    func creditAmountFull() throws {
        let a = twoRates
        let lines = try InvoicePlanner.creditAmount(a, invoice: a.invoices[0], amount: 15_000, language: .da)
        #expect(lines.map(\.gross) == [5_000, 10_000])
        #expect(VATBreakdown(lines.map { ($0.gross, $0.vatRate) }) == a.invoices[0].breakdown)
    }

    @Test("the split always sums exactly to the amount, each share close to its exact proportion")
    func creditAmountProperty() throws {
        let a = twoRates
        var failures: [String] = []
        for amount in Int64(1)...15_000 {
            let lines = try InvoicePlanner.creditAmount(a, invoice: a.invoices[0], amount: amount, language: .da)
            if lines.reduce(0, { $0 + $1.gross }) != amount { failures.append("sum for \(amount)") }
            if lines.contains(where: { $0.gross <= 0 || $0.qty != 1 || $0.gross != $0.unitPrice }) { failures.append("bad line for \(amount)") }
            let zero = lines.first { $0.vatRate == 0 }?.gross ?? 0
            // exact share at 0 % is amount / 3; the first rows are floored.
            if (zero * 3 - amount).magnitude >= 3 { failures.append("share \(zero) for \(amount)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test("a single-rate invoice gets one credit line")
    func creditAmountOneRate() throws {
        let a = invoiced
        let lines = try InvoicePlanner.creditAmount(a, invoice: a.invoices[0], amount: 12_345, language: .da)
        #expect(lines.map(\.sku) == ["credit:2500"])
        #expect(lines.map(\.gross) == [12_345])
    }

    @Test("an amount above what is left to credit is refused")
    func creditAmountTooMuch() throws {
        var a = twoRates
        expectOrderError(.conflict, "amount: invoice F-1 has 150.00 DKK left to credit, asked for 150.01 DKK") {
            _ = try InvoicePlanner.creditAmount(a, invoice: a.invoices[0], amount: 15_001, language: .da)
        }
        a.documents.append(F.creditNote(1, against: 1, [InvoiceLine(sku: "A", name: "A", qty: 1, unitPrice: 10_000, vatRate: 2500)]))
        a.documents.append(F.creditNote(2, against: 1, [InvoiceLine(sku: "credit:0", name: "Kreditering (0% moms)", qty: 1, unitPrice: 4_000, vatRate: 0)]))
        expectOrderError(.conflict, "has 10.00 DKK left to credit, asked for 10.01 DKK") {
            _ = try InvoicePlanner.creditAmount(a, invoice: a.invoices[0], amount: 1_001, language: .da)
        }
        #expect(try InvoicePlanner.creditAmount(a, invoice: a.invoices[0], amount: 1_000, language: .da).reduce(0) { $0 + $1.gross } == 1_000)
    }

    @Test("an empty invoice has nothing to credit")
    func creditAmountEmpty() {
        let a = F.aggregate([], documents: [F.invoice(1, [])])
        expectOrderError(.conflict, "has nothing to credit") {
            _ = try InvoicePlanner.creditAmount(a, invoice: a.invoices[0], amount: 0, language: .da)
        }
    }
}
