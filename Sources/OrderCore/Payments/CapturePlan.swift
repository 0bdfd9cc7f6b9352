/// What a capture invoices, so that captured money and invoiced goods always match:
/// captured − refunded = invoiced − credited (the money invariant, `MoneyInvariant`).
///
/// A capture draws the value of **whole units** of goods the capture policy has released
/// (handed over, shipped, or prepayable) that no invoice covers yet — together with any money
/// already captured but not invoiced (after a multi-part capture of which a part failed) — and
/// the capture issues the invoice for exactly those units. An amount that no set of whole units
/// adds up to is refused with a message that names the amounts that may be captured.
public enum CapturePlan {
    /// One order line with the units released for capture and not yet invoiced (`after` units
    /// of it are invoiced already; discounts are carried by the units in order, so the value of
    /// the next units depends on how many went before).
    public struct Open: Sendable, Equatable {
        public var line: OrderLine
        public var units: Int64
        public var after: Int64 = 0
        public var value: Int64 { line.value(of: units, after: after) }
        /// The value of the first `u` of these units.
        public func value(of u: Int64) -> Int64 { line.value(of: u, after: after) }
        /// The most of these units whose value is at most `budget`.
        public func units(fitting budget: Int64) -> Int64 {
            var lo: Int64 = 0
            var hi = units
            while lo < hi {
                let mid = lo + (hi - lo + 1) / 2
                if value(of: mid) <= budget { lo = mid } else { hi = mid - 1 }
            }
            return lo
        }
        public func invoiceLine(_ u: Int64) -> InvoiceLine { line.invoiceLine(units: u, after: after) }
    }

    /// Per order line (in order): units the policy releases that no invoice covers yet. Fee
    /// lines are released by their `feeRelease` (`CapturePolicy.releasedUnits`).
    public static func open(_ a: OrderAggregate, policy: CapturePolicy) -> [Open] {
        let invoiced = a.invoicedQuantities
        let released = policy.releasedUnits(a)
        return a.order.lines.compactMap { line in
            let before = invoiced[line.sku] ?? 0
            let units = (released[line.sku] ?? 0) - before
            return units > 0 ? Open(line: line, units: units, after: before) : nil
        }
    }

    /// What the invoice for captured money is (`plan`).
    public enum Issue: Sendable, Equatable {
        /// An invoice for whole units of goods, deducting open on-account invoices.
        case goods([InvoiceLine], deductions: [OnAccountDeduction])
        /// An on-account invoice (`OnAccount.lines`).
        case onAccount([InvoiceLine])

        /// The amount the invoice charges (its total).
        public var total: Int64 {
            switch self {
            case .goods(let l, let d): l.reduce(0) { $0 + $1.gross } - d.reduce(0) { $0 + $1.gross }
            case .onAccount(let l): l.reduce(0) { $0 + $1.gross }
            }
        }
        /// The value of its lines (the supply, for the simplified-invoice limit).
        public var linesTotal: Int64 {
            switch self {
            case .goods(let l, _), .onAccount(let l): l.reduce(0) { $0 + $1.gross }
            }
        }
    }

    /// The invoice for `target` of captured money not yet invoiced on `a`:
    /// whole released units worth `target` plus what is open on account (which the invoice then
    /// deducts); with `target` 0 and money open on account, the most whole released units that
    /// the on-account money covers (a final invoice that moves no money); else, when `onAccount`
    /// is allowed (setting `capture.on_account`), an on-account invoice of `target`. `nil` when
    /// none fits.
    public static func plan(money target: Int64, on a: OrderAggregate, policy: CapturePolicy, onAccount allowed: Bool) -> Issue? {
        let released = open(a, policy: policy)
        let prepaid = OnAccount.open(a)
        let value = target > 0 ? target + prepaid : prepaid > 0 ? largest(fitting: prepaid, from: released, uninvoiced: 0) : 0
        if value > 0, let lines = select(value, from: released), !lines.isEmpty, lines.reduce(0, { $0 + $1.gross }) == value {
            return .goods(lines, deductions: OnAccount.deductions(for: value, on: a))
        }
        if allowed, target > 0, let lines = OnAccount.lines(target, on: a) { return .onAccount(lines) }
        return nil
    }

    /// Money captured that no invoice covers yet (≥ 0 while the invariant holds).
    public static func uninvoicedCaptured(_ a: OrderAggregate) -> Int64 { a.payments.captured - a.invoicedTotal }

    /// Whole units of `open` whose value is exactly `target`, as invoice lines (free lines
    /// always in full), or `nil` when no such set is found. Tries everything, then line by line
    /// in order, then a bounded search (largest prices first).
    public static func select(_ target: Int64, from open: [Open]) -> [InvoiceLine]? {
        guard target >= 0 else { return nil }
        let free = open.filter { $0.value == 0 }
        let priced = open.filter { $0.value > 0 }
        func lines(_ counts: [Int64]) -> [InvoiceLine] {
            var out: [InvoiceLine] = []
            for o in open {
                let units = o.value == 0 ? o.units : counts[priced.firstIndex(of: o)!]
                if units > 0 { out.append(o.invoiceLine(units)) }
            }
            return out
        }
        if target == 0 { return free.isEmpty ? [] : lines(priced.map { _ in 0 }) }
        if priced.reduce(0, { $0 + $1.value }) == target { return lines(priced.map(\.units)) }
        // Line by line, as many units as fit.
        var left = target
        var greedy = priced.map { o -> Int64 in
            let u = o.units(fitting: left)
            left -= o.value(of: u)
            return u
        }
        if left == 0 { return lines(greedy) }
        // Bounded depth-first search, largest unit prices first.
        let order = priced.indices.sorted { priced[$0].line.unitPrice > priced[$1].line.unitPrice }
        var budget = 50_000
        greedy = priced.map { _ in 0 }
        func search(_ k: Int, _ rest: Int64) -> Bool {
            if rest == 0 { return true }
            if k == order.count || budget <= 0 { return false }
            budget -= 1
            let o = priced[order[k]]
            var u = o.units(fitting: rest)
            while u >= 0 && budget > 0 {
                greedy[order[k]] = u
                if search(k + 1, rest - o.value(of: u)) { return true }
                u -= 1
            }
            greedy[order[k]] = 0
            return false
        }
        return search(0, target) ? lines(greedy) : nil
    }

    /// The largest value of whole units of `open` (less `uninvoiced`, money already captured
    /// for them) that fits in `limit`: everything when it fits, else units taken greedily, the
    /// dearest first. The default amount of a capture without one.
    public static func largest(fitting limit: Int64, from open: [Open], uninvoiced: Int64) -> Int64 {
        let everything = open.reduce(0) { $0 + $1.value } - uninvoiced
        if everything <= limit { return everything }
        var room = limit + uninvoiced
        var value: Int64 = 0
        for o in open.sorted(by: { $0.line.unitPrice > $1.line.unitPrice }) where o.value > 0 {
            let u = o.units(fitting: room)
            room -= o.value(of: u)
            value += o.value(of: u)
        }
        return value - uninvoiced
    }

    /// The refusal of a capture of `amount` that is not the value of whole released units:
    /// a `policy` error naming what may be captured.
    /// With `suggestOnAccount`, the message names the setting that would issue an on-account invoice instead.
    public static func refusal(_ amount: Int64, on a: OrderAggregate, open: [Open], limit: Int64, suggestOnAccount: Bool = true) -> OrderError {
        let cur = a.order.currency
        let uninvoiced = uninvoicedCaptured(a)
        let prepaid = OnAccount.open(a)
        let pending = uninvoiced + prepaid
        let all = open.reduce(0) { $0 + $1.value } - pending
        let units = open.filter { $0.value > 0 }.map {
            "\($0.units) × \($0.line.name) (\($0.line.sku)) at \(cur.format($0.line.unitPrice))"
                + ($0.line.discount > 0 ? " less \(cur.format($0.line.discount)) discount over \($0.line.qty)" : "")
        }
        var msg = "capture of \(cur.format(amount)) on order \(a.order.number) is not the value of whole goods released for capture: "
        if all <= 0 || units.isEmpty {
            msg += "nothing is released and not yet invoiced"
        } else {
            let most = largest(fitting: max(0, limit), from: open, uninvoiced: pending)
            msg += most == all ? "capture \(cur.format(all)) (everything released and not yet invoiced)"
                : "capture up to \(cur.format(most)) (the most whole units the authorisations hold; \(cur.format(all)) is released and not yet invoiced)"
            msg += " or a sum of whole units of: " + units.joined(separator: ", ")
            if uninvoiced > 0 { msg += ", less the \(cur.format(uninvoiced)) captured earlier and not yet invoiced" }
            if prepaid > 0 { msg += ", less the \(cur.format(prepaid)) paid on account (the invoice deducts it)" }
        }
        if suggestOnAccount { msg += "; or allow an on-account invoice for it (settings.set {\"capture\": {\"on_account\": true}})" }
        return OrderError.policy(msg)
    }
}

/// The money invariant of an order, per currency: what was drawn and not paid back equals what
/// was invoiced and not credited — `captured − refunded = invoiced − credited`.
///
/// Documented states in which the difference is visible (and `difference` says how much):
/// a capture or refund in flight (pending effects), a multi-part capture of which a part failed
/// (captured money waiting for the rest of its invoice), and a credit note issued with
/// `"refund": false` (credited, paid back outside the gateway).
public enum MoneyInvariant {
    /// `(captured − refunded) − (invoiced − credited)`: 0 when the invariant holds.
    public static func difference(_ a: OrderAggregate) -> Int64 {
        let credited = a.creditNotes.reduce(0) { $0 + $1.total }
        return (a.payments.captured - a.payments.refunded) - (a.invoicedTotal - credited)
    }

    /// Credited without a refund (credit notes issued with `"refund": false`).
    public static func creditedWithoutRefund(_ a: OrderAggregate) -> Int64 {
        a.creditNotes.reduce(0) { $0 + ($1.total - $1.refunded) }
    }
}
