import OrderCore
import OrderEngine

/// The demo's scenario: two weeks of orders at a Danish coffee shop and the merchant's work
/// on the last day, driven only through engine commands (as a host or script would).
///
/// History (13 days, 3 orders a day): orders arrive at 09:00 and are authorised at checkout;
/// at 14:00 the merchant takes the unprocessed ones ("Ikke behandlede ordrer"), prints labels
/// and sets *Afsendt*; at 15:30 the carrier collects, and the merchant captures ("Gennemfør")
/// what left the house; the next day parcels are delivered. Today adds the special cases: a
/// capture refused by the Danish rule, a partial shipment, click-and-collect captured at
/// pickup, a declined capture, an authorisation that expired, a cancellation and credit notes.
final class ShopDay {
    let engine: Engine
    let clock: ManualClock
    /// Notable moments, in order, for the report: (time, text).
    private(set) var log: [(String, String)] = []
    private var rng = DemoRandom(seed: 2026)
    private var customerIndex = 0
    /// Orders created, in order.
    private(set) var orders: [Int64] = []
    /// The day the demo reports on.
    let today: Timestamp
    /// The order with freight the customer withdraws from in full (fortrydelsesret).
    private var withdrawn: Int64?
    /// Its return.
    private var withdrawal: Int64?

    init(engine: Engine, clock: ManualClock, today: Timestamp) {
        self.engine = engine
        self.clock = clock
        self.today = today
    }

    // MARK: - Calling the engine

    @discardableResult
    func call(_ name: String, _ params: JSON) throws(OrderError) -> JSON {
        try engine.call(name, params, actor: "demo")
    }

    func attempt(_ name: String, _ params: JSON) -> Result<JSON, OrderError> {
        do { return .success(try engine.call(name, params, actor: "demo")) } catch { return .failure(error) }
    }

    private func note(_ text: String) {
        let t = clock.now().iso8601
        let day = clock.now().date == today.date ? "" : String(clock.now().date.dropFirst(5)) + " "
        log.append((day + String(t.dropFirst(11).prefix(5)), text))
    }

    private func at(day: Int64, _ hour: Int64, _ minute: Int64 = 0) {
        clock.set(today.adding(days: day).adding(seconds: hour * 3600 + minute * 60))
    }

    // MARK: - The scenario

    func run() throws(OrderError) {
        at(day: -14, 8)
        try setUp()
        for day in Int64(-13)...(-1) {
            at(day: day, 8)
            try deliverYesterdaysParcels()
            at(day: day, 9)
            for k in 0..<3 { try historicOrder(day: day, k: k) }
            at(day: day, 14)
            try processUnprocessed()
            at(day: day, 15, 30)
            try carrierCollects()
            try pickupsCollected()
            if day == -2 { try announceWithdrawal() }
        }
        try theDay()
    }

    private func setUp() throws(OrderError) {
        try call("settings.set", [
            "shop_name": "Nordisk Kaffe ApS",
            "seller": ["name": "Nordisk Kaffe ApS", "address": "Jægergårdsgade 50, 8000 Aarhus C, DK", "vat_number": "DK13585628"],
            "order_number_start": 10001, "invoice_number_start": 5001, "invoice_number_prefix": "F-",
            "credit_note_number_start": 9001, "credit_note_number_prefix": "K-", "return_number_prefix": "R-",
            "mail_copy_to": "ordrer@nordiskkaffe.dk",
            // Above the EU distance-selling threshold: German consumers pay German VAT (OSS).
            "oss": ["enabled": true], "exchange_rates": ["EUR": "7.4604"],
        ])
        try call("status.define", [
            "key": "backorder", "labels": ["da": "Restordre", "en": "Back-ordered"],
            "from": ["received", "processing"], "to": ["processing", "shipped", "cancelled"],
            "email": [
                "da": ["subject": "Din ordre {{order}} er delvist afsendt",
                       "body": "Kære {{customer_name}}\n\nEn del af din ordre {{order}} er sendt. Resten følger, så snart den er på lager; vi trækker kun betaling for det, der er sendt.\n\nVenlig hilsen\n{{shop_name}}\n"],
                "en": ["subject": "Your order {{order}} is partly shipped",
                       "body": "Dear {{customer_name}}\n\nPart of your order {{order}} has been shipped. The rest follows when in stock; we only charge for what has been sent.\n\nKind regards,\n{{shop_name}}\n"],
            ],
        ])
        note("settings: order numbers from 10001, invoices F-5001, credit notes K-9001, returns R-1; custom status 'backorder' (Restordre)")
    }

    /// Creates an order (and authorises it unless `authorize` is false); returns its number.
    @discardableResult
    func newOrder(lines: [(DemoCatalog.Product, Int64)], pickup: Bool = false, method: String? = nil, notify: Bool = true,
                  tags: [String] = [], authorize: Bool = true, fees: [JSON] = [], discounts: [JSON] = []) throws(OrderError) -> Int64 {
        let c = DemoCatalog.customers[customerIndex % DemoCatalog.customers.count]
        customerIndex += 1
        let carrier = DemoCatalog.carriers[rng.next(DemoCatalog.carriers.count)]
        let delivery: JSON = pickup ? ["method": "pickup", "location": .string(DemoCatalog.pickupLocation)]
                                    : ["method": "shipping", "carrier": .string(carrier)]
        let address: JSON = ["street": .string(c.street), "postal_code": .string(c.postal), "city": .string(c.city)]
        let o = try call("order.create", [
            "customer": ["name": .string(c.name), "email": .string(c.email), "language": .string(c.lang),
                         "billing_address": address, "delivery_address": address],
            "lines": .array(lines.map { p, q in
                ["sku": .string(p.sku), "name": .string(p.name), "qty": .int(q), "unit_price": .int(p.price),
                 "vat_rate": .int(p.vatRate), "prepayable": .bool(p.prepayable)]
            }),
            "delivery": delivery, "notify": .bool(notify), "tags": .array(tags.map { .string($0) }),
            "fees": .array(fees), "discounts": .array(discounts),
        ])
        let n = o["order"]?.intValue ?? 0
        orders.append(n)
        if authorize {
            let m = method ?? DemoCatalog.methods[rng.next(DemoCatalog.methods.count)]
            try call("payment.authorize", ["order": .int(n), "amount": o["total"] ?? 0, "method": .string(m), "reference": .string("chk-\(n)")])
        }
        return n
    }

    private func randomLines() -> [(DemoCatalog.Product, Int64)] {
        var picked: [(DemoCatalog.Product, Int64)] = []
        let count = 1 + rng.next(3)
        var skus: Set<String> = []
        while picked.count < count {
            let p = DemoCatalog.products[rng.next(DemoCatalog.products.count)]
            if skus.insert(p.sku).inserted { picked.append((p, Int64(1 + rng.next(2)))) }
        }
        return picked
    }

    private func historicOrder(day: Int64, k: Int) throws(OrderError) {
        switch (day, k) {
        case (-13, 0):
            // A pre-order paid with MobilePay (14 days): the goods are not in yet.
            let n = try newOrder(lines: [(DemoCatalog.products[3], 1)], method: "mobilepay", tags: ["forudbestilling"])
            try call("order.set_status", ["order": .int(n), "status": "processing", "note": "venter på varer"])
            note("order \(n): pre-order paid with MobilePay, waiting for stock")
        case (-9, 1):
            // The customer asked to wait; the Visa authorisation (7 days) will run out.
            let n = try newOrder(lines: randomLines(), method: "visa", tags: ["afventer-kunde"])
            try call("order.set_status", ["order": .int(n), "status": "processing", "note": "kunden har bedt os vente"])
            note("order \(n): on hold at the customer's request (Visa, 7 days)")
        case (-8, 2):
            // Waiting for stock with a Dankort authorisation; it will be shipped today.
            let n = try newOrder(lines: [(DemoCatalog.products[4], 1)], method: "dankort", tags: ["restordre"])
            try call("order.set_status", ["order": .int(n), "status": "processing", "note": "V60 i restordre"])
        case (-7, 0):
            // Engraved mug: made to order, so the engraving is captured at once (prepayment agreement).
            let n = try newOrder(lines: [(DemoCatalog.products[2], 2), (DemoCatalog.engraving, 2)], method: "visa")
            let r = try call("payment.capture", ["order": .int(n)])
            note("order \(n): engraving is made to order → captured \(dkk(r["captured"])) at once (prepayable line)")
        case (-6, 1):
            // A gift card: no VAT at sale, delivered by e-mail at once, captured in full.
            let n = try newOrder(lines: [(DemoCatalog.giftCard, 1)], method: "mobilepay")
            try call("payment.capture", ["order": .int(n)])
            try call("order.set_status", ["order": .int(n), "status": "processing"])
            let s = try call("shipment.create", ["order": .int(n), "method": "manual"])
            try call("shipment.hand_over", ["shipment": s["shipment"] ?? 0])
            try call("order.set_status", ["order": .int(n), "status": "shipped"])
            note("order \(n): gift card (0 % VAT, prepayable) captured and sent by e-mail")
        case (-5, 0):
            // With freight; the customer will withdraw from the whole purchase.
            withdrawn = try newOrder(lines: randomLines(), fees: [["kind": "shipping", "name": "Fragt (GLS)", "amount": 4900]])
        case (_, 2) where day % 4 == 0:
            try newOrder(lines: randomLines(), pickup: true)
        default:
            try newOrder(lines: randomLines(), notify: !(day == -11 && k == 1))
        }
    }

    /// The 14:00 routine: every order in "Ikke behandlet" gets a label and status Afsendt
    /// (or "Klar til afhentning" for click-and-collect).
    private func processUnprocessed() throws(OrderError) {
        var after: JSON = .null
        var numbers: [Int64] = []
        repeat {
            let page = try call("order.find", ["status": "received", "limit": 100, "after": after])
            numbers += (page["orders"]?.arrayValue ?? []).compactMap { $0["order"]?.intValue }
            after = page["next"] ?? .null
        } while !after.isNull
        for n in numbers { try process(n) }
    }

    private func process(_ n: Int64) throws(OrderError) {
        let o = try call("order.get", ["order": .int(n)])
        try call("order.set_status", ["order": .int(n), "status": "processing"])
        if o["delivery"]?["method"]?.stringValue == "pickup" {
            try call("shipment.create", ["order": .int(n), "method": "pickup"])
            try call("order.set_status", ["order": .int(n), "status": "ready_for_pickup"])
        } else {
            try call("shipment.create", ["order": .int(n)])
            try call("order.set_status", ["order": .int(n), "status": "shipped"])
        }
    }

    /// 15:30: the carrier collects every labelled parcel; then the merchant captures what left.
    private func carrierCollects(except skip: Set<Int64> = []) throws(OrderError) {
        for n in try ordersInStatus("shipped") where !skip.contains(n) {
            let o = try call("order.get", ["order": .int(n)])
            for s in o["shipments"]?.arrayValue ?? [] where s["state"]?.stringValue == "created" && s["method"]?.stringValue == "carrier" {
                try call("shipment.hand_over", ["shipment": s["shipment"] ?? 0])
            }
            guard case .failure(let e) = attempt("payment.capture", ["order": .int(n)]) else { continue }
            if e.message.contains("ask the customer to pay again") {
                // The authorisation ran out: the customer pays again (MobilePay), then the capture goes through.
                note("order \(n): authorisation expired — \(e.message)")
                let total = o["total"]?.intValue ?? 0, captured = o["captured"]?.intValue ?? 0
                try call("payment.authorize", ["order": .int(n), "amount": .int(total - captured), "method": "mobilepay",
                                               "reference": .string("chk-\(n)-again")])
                let r = try call("payment.capture", ["order": .int(n)])
                note("order \(n): the customer paid again by MobilePay → captured \(dkk(r["captured"])), invoice \(r["invoice_reference"]?.stringValue ?? "-")")
            } else if e.code != .policy {
                note("order \(n): capture failed — \(e.message)")
            }
        }
    }

    /// Customers who come to the shop collect their orders the day after they were ready.
    private func pickupsCollected() throws(OrderError) {
        for n in try ordersInStatus("ready_for_pickup") {
            let o = try call("order.get", ["order": .int(n)])
            guard let ready = o["updated_at"]?.stringValue, ready.prefix(10) < clock.now().date else { continue }
            try handOverAtPickup(n, o)
        }
    }

    private func handOverAtPickup(_ n: Int64, _ o: JSON) throws(OrderError) {
        for s in o["shipments"]?.arrayValue ?? [] where s["state"]?.stringValue == "created" {
            try call("shipment.hand_over", ["shipment": s["shipment"] ?? 0])
        }
        try call("payment.capture", ["order": .int(n)])
        try call("order.set_status", ["order": .int(n), "status": "picked_up"])
    }

    private func deliverYesterdaysParcels() throws(OrderError) {
        for n in try ordersInStatus("shipped") {
            let o = try call("order.get", ["order": .int(n)])
            let shipments = o["shipments"]?.arrayValue ?? []
            guard !shipments.isEmpty, shipments.allSatisfy({ $0["state"]?.stringValue != "created" }),
                  o["fulfilment_state"]?.stringValue == "shipped" else { continue }
            for s in shipments where s["state"]?.stringValue == "handed_over" {
                try call("shipment.deliver", ["shipment": s["shipment"] ?? 0])
            }
            try call("order.set_status", ["order": .int(n), "status": "delivered"])
        }
    }

    func ordersInStatus(_ status: String) throws(OrderError) -> [Int64] {
        var out: [Int64] = []
        var after: JSON = .null
        repeat {
            let page = try call("order.find", ["status": .string(status), "limit": 200, "after": after])
            out += (page["orders"]?.arrayValue ?? []).compactMap { $0["order"]?.intValue }
            after = page["next"] ?? .null
        } while !after.isNull
        return out
    }

    // MARK: - Today

    private func theDay() throws(OrderError) {
        at(day: 0, 8)
        try deliverYesterdaysParcels()
        note("morning: yesterday's parcels delivered")

        // The withdrawn parcel is back: received, then refunded with the freight (§ 22).
        if let w = withdrawal, let n = withdrawn {
            let due = try call("return.check", ["days": 14])
            let list = (due["returns"]?.arrayValue ?? []).map { r in
                "\(r["reference"]?.stringValue ?? "?") by \(r["deadline"]?.stringValue?.prefix(10) ?? "?")"
                    + (r["goods_received"] == true ? "" : " (goods not back yet)")
            }
            note("Tjek returneringer: \(due["count"]?.intValue ?? 0) withdrawal(s) to refund within 14 days: " + list.joined(separator: ", "))
            let got = try call("return.receive", ["return": .int(w)])
            note("order \(n): return \(got["reference"]?.stringValue ?? "?") is back in the house → status \(got["order_status"]?.stringValue ?? "?")")
            let r = try call("return.refund", ["return": .int(w)])
            let freight = (r["document"]?["lines"]?.arrayValue ?? []).filter { $0["fee"]?.stringValue == "shipping" }
                .reduce(Int64(0)) { $0 + ($1["gross"]?.intValue ?? 0) }
            note("order \(n): withdrawal refunded → credit note \(r["reference"]?.stringValue ?? "?") of \(dkk(r["refunded"])) incl. freight \(dkk(.int(freight)))")
        }
        // A defective mug: a return of one unit, refunded by credit note.
        if let returned = try firstDelivered(containing: "KRUS") {
            let ret = try call("return.create", ["order": .int(returned), "lines": [["sku": "KRUS", "qty": 1]], "reason": "1 krus skår ved levering"])
            try call("return.receive", ["return": ret["number"] ?? 0])
            let r = try call("return.refund", ["return": ret["number"] ?? 0])
            note("order \(returned): 1 mug returned (\(ret["reference"]?.stringValue ?? "?")) → credit note \(r["reference"]?.stringValue ?? "?") refunds \(dkk(r["refunded"]))")
        }
        // Goodwill for a late parcel: a credit note for an amount.
        if let late = try ordersInStatus("delivered").last {
            let r = try call("credit_note.create", ["order": .int(late), "amount": 5000, "reason": "Kompensation for forsinket levering"])
            note("order \(late): goodwill credit note \(r["reference"]?.stringValue ?? "?") of \(dkk(r["refunded"]))")
        }

        at(day: 0, 9)
        for _ in 0..<5 { try newOrder(lines: randomLines()) }
        let kvarn = try newOrder(lines: [(DemoCatalog.products[3], 1), (DemoCatalog.products[0], 2)], method: "visa")
        let declined = try newOrder(lines: randomLines(), method: "mastercard")
        let cnc = try newOrder(lines: [(DemoCatalog.products[1], 3), (DemoCatalog.products[5], 1)], pickup: true, method: "dankort")
        let cancelled = try newOrder(lines: randomLines(), method: "mobilepay")
        try newOrder(lines: randomLines(), authorize: false)
        try newOrder(lines: [(DemoCatalog.products[6], 1)], authorize: false)
        // Freight and a discount code: the fee is a line of its own, the code lowers the goods.
        let freight = try newOrder(lines: [(DemoCatalog.products[0], 2), (DemoCatalog.products[1], 1)], method: "visa",
                                   fees: [["kind": "shipping", "name": "Fragt (GLS pakkeshop)", "amount": 4900]],
                                   discounts: [["code": "VINTER10", "name": "Vinterrabat 10 %", "percent": 1000]])
        let fo = try call("order.get", ["order": .int(freight)])
        note("order \(freight): freight \(dkk(4900)) and code VINTER10 (−\(dkk(fo["discount_total"]))) → total \(dkk(fo["total"]))")
        let eu = try euOrders()
        note("orders: \(orders.count) so far; 2 await payment (Ikke modtaget)")
        try customerCallsToChange()

        at(day: 0, 10, 15)
        try call("order.cancel", ["order": .int(cancelled), "reason": "Kunden fortrød inden afsendelse"])
        note("order \(cancelled): cancelled by the customer → MobilePay authorisation voided")

        at(day: 0, 11)
        let check = try call("payment.check", ["days": 2])
        note("Tjek betalinger: \(check["expired"]?.intValue ?? 0) expired, \(check["expiring"]?.intValue ?? 0) expiring within 2 days")

        at(day: 0, 14)
        let unprocessed = try ordersInStatus("received")
        note("\(unprocessed.count) orders in 'Ikke behandlet' → labels printed, status Afsendt")
        for n in unprocessed where n != kvarn { try process(n) }
        // The grinder is out of stock: ship the coffee now, the grinder later.
        try call("order.set_status", ["order": .int(kvarn), "status": "processing"])
        try call("shipment.create", ["order": .int(kvarn), "lines": [["sku": "KAF-ESP", "qty": 2]]])
        try call("order.set_status", ["order": .int(kvarn), "status": "backorder"])
        note("order \(kvarn): grinder out of stock → coffee shipped alone, status Restordre")
        // The stocked V60 arrived: ship the Dankort order that waited 8 days.
        let waited = try ordersTagged("restordre")
        for n in waited { try process(n) }

        // The merchant presses "Gennemfør" right after printing a label: refused (Danish rule).
        if let early = unprocessed.first(where: { $0 != kvarn && $0 != cnc }),
           case .failure(let e) = attempt("payment.capture", ["order": .int(early)]) {
            note("order \(early): capture before the carrier collected → refused: \(e.message)")
        }

        try call("gateway.simulate", ["order": .int(declined), "behaviour": "decline"])
        at(day: 0, 15, 30)
        note("the carrier collects; captures of what left the house")
        try carrierCollects()
        // The partial shipment: only the coffee's value may be drawn.
        let partial = try call("order.get", ["order": .int(kvarn)])
        for s in partial["shipments"]?.arrayValue ?? [] where s["state"]?.stringValue == "created" {
            try call("shipment.hand_over", ["shipment": s["shipment"] ?? 0])
        }
        let r = try call("payment.capture", ["order": .int(kvarn)])
        note("order \(kvarn): partial capture \(dkk(r["captured"])) of \(dkk(partial["total"])) (only what left), invoice \(r["invoice_reference"]?.stringValue ?? "-")")

        let fi = try call("order.get", ["order": .int(freight)])
        if let inv = fi["invoices"]?.arrayValue?.first?["number"] {
            let d = try call("invoice.get", ["number": inv])
            let parts = (d["lines"]?.arrayValue ?? []).map { l in
                "\(l["name"]?.stringValue ?? "") \(dkk(l["before_discount"]))"
                    + ((l["discount"]?.intValue ?? 0) > 0 ? " − \(dkk(l["discount"]))" : "") + " = \(dkk(l["gross"]))"
            }
            note("order \(freight): invoice \(d["reference"]?.stringValue ?? "?"): " + parts.joined(separator: "; "))
        }

        try reportEUInvoices(eu)

        at(day: 0, 16, 45)
        let o = try call("order.get", ["order": .int(cnc)])
        try handOverAtPickup(cnc, o)
        note("order \(cnc): click-and-collect handed over in the shop → captured at pickup")
        try pickupsCollected()
        at(day: 0, 17)
        note("end of day: \(orders.count) orders")
    }

    /// Two orders to Germany: a café with its VAT number (reverse charge, 0 %) and a consumer
    /// paying in EUR (OSS: German VAT, 7 % on coffee by the line's `vat_rates`, 19 % on the
    /// grinder); both are processed with the day's other orders.
    private func euOrders() throws(OrderError) -> (b2b: Int64, oss: Int64) {
        let berlin: JSON = ["street": "Torstraße 140", "postal_code": "10119", "city": "Berlin", "country": "DE"]
        let b2b = try call("order.create", [
            "customer": ["name": "Jonas Weber", "email": "einkauf@kaffeehaus-mitte.de", "language": "en", "company": "Kaffeehaus Mitte GmbH",
                         "vat_number": "DE811907980", "billing_address": berlin, "delivery_address": berlin],
            "lines": [["sku": "KAF-ESP", "name": "Espressobønner 1 kg", "qty": 10, "unit_price": 14320]],
            "fees": [["kind": "shipping", "name": "Fragt (DHL)", "amount": 9500]],
            "delivery": ["method": "shipping", "carrier": .string(DemoCatalog.carriers[0])],
        ])
        let munich: JSON = ["street": "Leopoldstraße 12", "postal_code": "80802", "city": "München", "country": "DE"]
        let oss = try call("order.create", [
            "customer": ["name": "Anna Schmidt", "email": "anna.schmidt@example.de", "language": "en",
                         "billing_address": munich, "delivery_address": munich],
            "currency": "EUR",
            "lines": [["sku": "KAF-ESP", "name": "Espressobønner 1 kg", "qty": 2, "unit_price": 2400, "vat_rates": ["DE": 700]],
                      ["sku": "KVARN", "name": "Kaffekværn, manuel", "qty": 1, "unit_price": 7990]],
            "fees": [["kind": "shipping", "name": "Versand (DHL)", "amount": 690]],
            "delivery": ["method": "shipping", "carrier": .string(DemoCatalog.carriers[0])],
        ])
        for (o, m) in [(b2b, "visa"), (oss, "mastercard")] {
            let n = o["order"]?.intValue ?? 0
            orders.append(n)
            try call("payment.authorize", ["order": .int(n), "amount": o["total"] ?? 0, "method": .string(m), "reference": .string("chk-\(n)")])
        }
        let n1 = b2b["order"]?.intValue ?? 0, n2 = oss["order"]?.intValue ?? 0
        note("order \(n1): Kaffeehaus Mitte GmbH, Berlin (DE811907980) → reverse charge, every line at 0 %")
        note("order \(n2): a consumer in München, in EUR → OSS: German VAT (\((oss["lines"]?.arrayValue ?? []).map { "\($0["sku"]?.stringValue ?? "") \(($0["vat_rate"]?.intValue ?? 0) / 100) %" }.joined(separator: ", ")))")
        return (n1, n2)
    }

    /// The invoices of the two German orders, as the report shows them.
    private func reportEUInvoices(_ eu: (b2b: Int64, oss: Int64)) throws(OrderError) {
        for n in [eu.b2b, eu.oss] {
            let o = try call("order.get", ["order": .int(n)])
            guard let inv = o["invoices"]?.arrayValue?.first?["number"] else { continue }
            let d = try call("invoice.get", ["number": inv])
            let cur = Currency(code: d["currency"]?.stringValue ?? "DKK") ?? .dkk
            let rates = (d["vat"]?.arrayValue ?? []).map { "\(($0["rate"]?.intValue ?? 0) / 100) % VAT \(cur.format($0["vat"]?.intValue ?? 0))" }
            var text = "order \(n): invoice \(d["reference"]?.stringValue ?? "?") \(cur.format(d["total"]?.intValue ?? 0)), " + rates.joined(separator: ", ")
            if let c = d["vat_country"]?.stringValue { text += " (\(c), OSS)" }
            if let rate = d["exchange_rate"]?.stringValue { text += "; VAT in DKK \(dkk(d["total_vat_dkk"])) at \(rate)" }
            if let v = d["vat_note"]?.stringValue, d["vat_treatment"]?.stringValue == "reverse_charge" { text += "; \"\(v)\", buyer \(d["buyer"]?["vat_number"]?.stringValue ?? "")" }
            note(text)
        }
    }

    /// Day −2: the customer of `withdrawn` uses the right of withdrawal for the whole order.
    private func announceWithdrawal() throws(OrderError) {
        guard let n = withdrawn else { return }
        let goods = (try call("order.get", ["order": .int(n)])["lines"]?.arrayValue ?? []).filter { $0["fee"] == nil }
        let r = try call("return.create", ["order": .int(n), "reason": "Fortrydelsesret", "withdrawal": true,
                                           "lines": .array(goods.map { ["sku": $0["sku"] ?? "", "qty": $0["qty"] ?? 0] })])
        withdrawal = r["number"]?.intValue
        note("order \(n): the customer withdraws from the purchase → return \(r["reference"]?.stringValue ?? "?"), refund due by \(r["deadline"]?.stringValue?.prefix(10) ?? "?")")
    }

    /// 9:30: a customer calls to take one unit less of an order not yet shipped (`order.edit`).
    private func customerCallsToChange() throws(OrderError) {
        for n in try ordersInStatus("received") {
            let o = try call("order.get", ["order": .int(n)])
            guard let l = (o["lines"]?.arrayValue ?? []).first(where: { $0["fee"] == nil && ($0["qty"]?.intValue ?? 0) >= 2 }),
                  let qty = l["qty"]?.intValue else { continue }
            let r = try call("order.edit", ["order": .int(n), "set_qty": [["sku": l["sku"] ?? "", "qty": .int(qty - 1)]],
                                            "reason": "Kunden ringede: én mindre"])
            note("order \(n): the customer called → \(l["name"]?.stringValue ?? "") \(qty) → \(qty - 1), total \(dkk(o["total"])) → \(dkk(r["total"])) (authorisation kept)")
            return
        }
    }

    private func firstDelivered(containing sku: String) throws(OrderError) -> Int64? {
        for n in try ordersInStatus("delivered") {
            let o = try call("order.get", ["order": .int(n)])
            if (o["lines"]?.arrayValue ?? []).contains(where: { $0["sku"]?.stringValue == sku }), (o["invoices"]?.arrayValue.map(\.count) ?? 0) > 0 {
                return n
            }
        }
        return nil
    }

    private func ordersTagged(_ tag: String) throws(OrderError) -> [Int64] {
        let page = try call("order.find", ["tag": .string(tag), "status": "processing", "limit": 100])
        return (page["orders"]?.arrayValue ?? []).compactMap { $0["order"]?.intValue }
    }
}

/// Formats an amount in øre as kroner for the report.
func dkk(_ j: JSON?) -> String { Currency.dkk.format(j?.intValue ?? 0) }
