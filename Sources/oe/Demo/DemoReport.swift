import OrderCore
import OrderEngine

/// The end-of-day report of the demo, built only from read commands (`order.find`,
/// `order.get`, `invoice.find`, `payment.check`, `outbox.list`).
struct DemoReport {
    let day: ShopDay

    func render() throws(OrderError) -> String {
        var out: [String] = []
        let today = day.today.date
        out.append("OrderEngine demo — a day at Nordisk Kaffe ApS, \(today)")
        out.append("database: \(day.engine.store.path)\(day.engine.store.path == ":memory:" ? " (in memory; pass --db FILE to keep it)" : "")")
        out.append("")
        out.append("What happened")
        var l = TextTable(["time", "event"])
        for (t, e) in day.log {
            for (k, line) in e.wrapped(width: 96).enumerated() { l.add([k == 0 ? t : "", line]) }
        }
        out.append(l.render())
        out.append("")
        out += try statusTable()
        out += try moneyTable()
        out += try documentsTable()
        out += try paymentCheck()
        out += try outbox()
        return out.joined(separator: "\n")
    }

    private func allOrders() throws(OrderError) -> [JSON] {
        var out: [JSON] = []
        var after: JSON = .null
        repeat {
            let page = try day.call("order.find", ["limit": 500, "after": after])
            out += page["orders"]?.arrayValue ?? []
            after = page["next"] ?? .null
        } while !after.isNull
        return out
    }

    private func statusTable() throws(OrderError) -> [String] {
        let orders = try allOrders()
        let states = PaymentState.allCases.map(\.rawValue).filter { s in orders.contains { $0["payment_state"]?.stringValue == s } }
        let statuses = try day.call("status.list", [:])["statuses"]?.arrayValue ?? []
        var t = TextTable(["status", "(da)"] + states + ["orders"], align: [.left, .left] + states.map { _ in .right } + [.right])
        for s in statuses {
            guard let key = s["key"]?.stringValue else { continue }
            let mine = orders.filter { $0["status"]?.stringValue == key }
            if mine.isEmpty { continue }
            t.add([key, s["labels"]?["da"]?.stringValue ?? ""] + states.map { st in
                let c = mine.filter { $0["payment_state"]?.stringValue == st }.count
                return c == 0 ? "·" : String(c)
            } + [String(mine.count)])
        }
        t.add(["all", ""] + states.map { st in String(orders.filter { $0["payment_state"]?.stringValue == st }.count) } + [String(orders.count)])
        return ["Orders by status and payment state", t.render(), ""]
    }

    private func moneyTable() throws(OrderError) -> [String] {
        var total: Int64 = 0, authorized: Int64 = 0, captured: Int64 = 0, refunded: Int64 = 0, voided: Int64 = 0
        for o in try allOrders() {
            let full = try day.call("order.get", ["order": o["order"] ?? 0])
            total += full["total"]?.intValue ?? 0
            authorized += full["authorized"]?.intValue ?? 0
            captured += full["captured"]?.intValue ?? 0
            refunded += full["refunded"]?.intValue ?? 0
            voided += full["voided"]?.intValue ?? 0
        }
        var t = TextTable(["", "amount"], align: [.left, .right])
        t.add(["order value", dkk(.int(total))])
        t.add(["authorised", dkk(.int(authorized))])
        t.add(["captured", dkk(.int(captured))])
        t.add(["refunded (credit notes)", dkk(.int(refunded))])
        t.add(["voided (released)", dkk(.int(voided))])
        t.add(["authorised, not captured", dkk(.int(authorized - captured - voided))])
        return ["Captured vs authorised", t.render(), ""]
    }

    private func documentsTable() throws(OrderError) -> [String] {
        var t = TextTable(["series", "first", "last", "count", "gapless", "net", "VAT", "total"],
                          align: [.left, .left, .left, .right, .left, .right, .right, .right])
        for kind in ["invoice", "credit_note"] {
            let docs = try day.call("invoice.find", ["kind": .string(kind), "limit": 1000])["documents"]?.arrayValue ?? []
            let numbers = docs.compactMap { $0["number"]?.intValue }.sorted()
            let gapless = numbers.isEmpty || numbers.last! - numbers.first! + 1 == Int64(numbers.count)
            let sum = { (k: String) in docs.reduce(Int64(0)) { $0 + ($1[k]?.intValue ?? 0) } }
            t.add([kind == "invoice" ? "invoices" : "credit notes",
                   docs.first?["reference"]?.stringValue ?? "-", docs.last?["reference"]?.stringValue ?? "-",
                   String(docs.count), gapless ? "yes" : "NO", dkk(.int(sum("total_net"))), dkk(.int(sum("total_vat"))), dkk(.int(sum("total")))])
        }
        return ["Invoices and credit notes", t.render(), ""]
    }

    private func paymentCheck() throws(OrderError) -> [String] {
        let check = try day.call("payment.check", ["days": 2])
        var t = TextTable(["order", "customer", "method", "uncaptured", "expires", "state"], align: [.left, .left, .left, .right, .left, .left])
        for a in check["authorizations"]?.arrayValue ?? [] {
            t.add([a["reference"]?.stringValue ?? "", a["customer"]?.stringValue ?? "", a["method"]?.stringValue ?? "",
                   dkk(a["uncaptured"]), String((a["expires_at"]?.stringValue ?? "").prefix(16)).replacingT,
                   a["expired"]?.boolValue == true ? "EXPIRED" : "expires in \(a["days_left"]?.intValue ?? 0) d"])
        }
        return ["Tjek betalinger — authorisations expired or expiring within 2 days", t.render(), ""]
    }

    private func outbox() throws(OrderError) -> [String] {
        let list = try day.call("outbox.list", ["status": "pending", "limit": 1000])
        let msgs = list["messages"]?.arrayValue ?? []
        var bySubject: [String: Int] = [:]
        for m in msgs {
            // Group by the template: the subject without the order reference.
            let s = (m["subject"]?.stringValue ?? "").split(separator: " ").filter { !$0.allSatisfy(\.isNumber) }.joined(separator: " ")
            bySubject[s, default: 0] += 1
        }
        var t = TextTable(["e-mail (subject without order number)", "queued"], align: [.left, .right])
        for (s, c) in bySubject.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) { t.add([s, String(c)]) }
        let copies = msgs.filter { $0["to"]?.stringValue == "ordrer@nordiskkaffe.dk" }.count
        return ["Outbox — \(msgs.count) status e-mails waiting for delivery (\(copies) of them shop copies)", t.render()]
    }
}

private extension String {
    var replacingT: String { String(map { $0 == "T" ? " " : $0 }) }

    /// The text broken at spaces into lines of at most `width` characters (continuations indented).
    func wrapped(width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in split(separator: " ") {
            if !current.isEmpty && current.count + 1 + word.count > width {
                lines.append(current)
                current = "  " + word
            } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
