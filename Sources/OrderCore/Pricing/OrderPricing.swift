/// Prices an order's lines: spreads its discounts over the goods lines and turns its fees into
/// fee lines. Pure; `order.create` and `order.edit` call it.
///
/// **Discounts**, in the order given. A `percent` discount takes that share (basis points,
/// rounded half up) of each line it applies to, of the value left after earlier discounts. An
/// `amount` discount is spread over its lines in proportion to that value (rounded down, the
/// remainder to the last line, never below zero); one larger than the value of its lines is
/// refused. VAT is then charged on what the customer pays (momsloven § 27 stk. 4): the line's
/// VAT is computed on `qty × unit_price − discount`.
///
/// **Fees.** A fee with `vat_rate` is one line at that rate. Without one, the fee's VAT follows
/// the goods it serves: the amount is split over the goods' VAT rates in proportion to the
/// goods' value (after discount) at each rate (largest remainder, ties to the higher rate), one
/// fee line per rate. Example: goods of 400.00 kr. at 25 % and 100.00 kr. at 0 % and a shipping
/// fee of 50.00 kr. give `fee:shipping@2500` 40.00 kr. (8.00 kr. VAT) and `fee:shipping@0`
/// 10.00 kr. (no VAT).
///
/// **Frozen lines** (shipped or invoiced, on an edit) keep their discount parts; an amount
/// discount's remainder is spread over the other lines. Frozen fee lines are kept as they are.
public enum OrderPricing {
    /// The priced lines: `goods` (their own discount fields reset unless frozen) followed by the
    /// fee lines. `frozen` holds skus whose lines must not change; `keptFees` the current fee
    /// lines, from which frozen ones are kept as they are.
    public static func price(goods: [OrderLine], fees: [FeeSpec], discounts: [DiscountSpec], frozen: Set<String> = [],
                             keptFees: [OrderLine] = [], currency: Currency = .dkk) throws(OrderError) -> [OrderLine] {
        var lines = goods
        let n = discounts.count
        for i in lines.indices where !frozen.contains(lines[i].sku) {
            lines[i].discountParts = Array(repeating: 0, count: n)
            lines[i].discount = 0
        }
        for i in lines.indices where lines[i].discountParts.count != n {
            // A frozen line priced under another discount list keeps its discount as one part.
            let d = lines[i].discount
            lines[i].discountParts = Array(repeating: 0, count: n)
            if n > 0 { lines[i].discountParts[0] = d }
        }
        for (k, d) in discounts.enumerated() {
            let field = "discounts[\(k)]"
            var targets: [Int] = []
            if let skus = d.skus {
                for (j, sku) in skus.enumerated() {
                    guard let i = lines.firstIndex(where: { $0.sku == sku }) else {
                        throw OrderError.invalid("\(field).lines[\(j)]", "the order has no goods line with sku '\(sku)'")
                    }
                    if !targets.contains(i) { targets.append(i) }
                }
            } else {
                targets = Array(lines.indices)
            }
            let open = targets.filter { !frozen.contains(lines[$0].sku) }
            if let percent = d.percent {
                for i in open {
                    let left = lines[i].total
                    let part = min(left, (left * percent + 5_000) / 10_000)
                    lines[i].discountParts[k] = part
                    lines[i].discount += part
                }
            } else if let amount = d.amount {
                let already = targets.filter { frozen.contains(lines[$0].sku) }.reduce(0) { $0 + lines[$1].discountParts[k] }
                let rest = max(0, amount - already)
                let value = open.reduce(0) { $0 + lines[$1].total }
                if rest > value {
                    throw OrderError.invalid("\(field).amount", "discount '\(d.name)' of \(currency.format(amount)) is above the value \(currency.format(value)) of the lines it applies to"
                        + (d.skus.map { " (\($0.joined(separator: ", ")))" } ?? "")
                        + (already > 0 ? " after the \(currency.format(already)) on lines already shipped or invoiced" : ""))
                }
                var parts = open.map { i -> Int64 in
                    value == 0 ? 0 : value.dividingFullWidth(rest.multipliedFullWidth(by: lines[i].total)).quotient
                }
                if let last = parts.indices.last {
                    parts[last] += rest - parts.reduce(0, +)
                    // Never below zero: what the last line cannot carry goes back up the list.
                    var over = parts[last] - lines[open[last]].total
                    var j = last - 1
                    while over > 0, j >= 0 {
                        let room = lines[open[j]].total - parts[j]
                        let moved = min(room, over)
                        parts[j] += moved
                        parts[last] -= moved
                        over -= moved
                        j -= 1
                    }
                }
                for (p, i) in open.enumerated() {
                    lines[i].discountParts[k] = parts[p]
                    lines[i].discount += parts[p]
                }
            }
        }
        // Fees.
        var kinds: [FeeKind: Int] = [:]
        for f in fees {
            let nth = kinds[f.kind, default: 0]
            kinds[f.kind] = nth + 1
            let base = "fee:\(f.kind.rawValue)" + (nth == 0 ? "" : ":\(nth + 1)")
            let current = keptFees.filter { $0.sku == base || $0.sku.hasPrefix(base + "@") }
            if !current.isEmpty, current.contains(where: { frozen.contains($0.sku) }) {
                lines += current
                continue
            }
            for (rate, amount) in split(f, goods: lines) {
                let sku = f.vatRate == nil && rateCount(lines) > 1 ? "\(base)@\(rate)" : base
                lines.append(OrderLine(sku: sku, name: f.name, qty: 1, unitPrice: amount, vatRate: rate, fee: f.kind, feeRelease: f.release))
            }
        }
        return lines
    }

    private static func rateCount(_ goods: [OrderLine]) -> Int {
        Set(goods.filter { $0.total > 0 }.map(\.vatRate)).count
    }

    /// The fee's amount per VAT rate (ascending rate): its own rate, or the goods' split.
    public static func split(_ f: FeeSpec, goods: [OrderLine]) -> [(Int64, Int64)] {
        if let r = f.vatRate { return [(r, f.amount)] }
        var byRate: [Int64: Int64] = [:]
        for l in goods where l.total > 0 { byRate[l.vatRate, default: 0] += l.total }
        let total = byRate.values.reduce(0, +)
        guard total > 0 else { return [(goods.map(\.vatRate).max() ?? 2500, f.amount)] }
        if byRate.count == 1 { return [(byRate.keys.first!, f.amount)] }
        var shares = byRate.keys.sorted().map { rate -> (rate: Int64, share: Int64, rem: Int64) in
            let (q, r) = total.dividingFullWidth(f.amount.multipliedFullWidth(by: byRate[rate]!))
            return (rate, q, r)
        }
        var left = f.amount - shares.reduce(0) { $0 + $1.share }
        let order = shares.indices.sorted { shares[$0].rem != shares[$1].rem ? shares[$0].rem > shares[$1].rem : shares[$0].rate > shares[$1].rate }
        var k = 0
        while left > 0 {
            shares[order[k % order.count]].share += 1
            left -= 1
            k += 1
        }
        return shares.map { ($0.rate, $0.share) }
    }
}
