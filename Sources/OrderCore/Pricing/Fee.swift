/// What a fee is for. Fees are invoiced as lines of their own (`OrderLine.fee`).
public enum FeeKind: String, Sendable, CaseIterable {
    case shipping, payment, handling, other
}

/// When the capture policy releases a fee for capture.
public enum FeeRelease: String, Sendable, CaseIterable {
    /// With the first goods the policy releases (the first shipment handed over under
    /// `on_hand_over`, the first shipment under `on_ship`; at once for an order of prepayable
    /// goods only). The default.
    case firstShipment = "first_shipment"
    /// When every goods unit is released (the last shipment handed over).
    case lastShipment = "last_shipment"
}

/// A fee as given on `order.create` / `order.edit`: `{"kind", "name", "amount", "vat_rate"?,
/// "capture"?}`. `amount` includes VAT. Without `vat_rate` the fee's VAT follows the goods
/// (`OrderPricing`: split over the goods' rates in proportion to their value after discount).
public struct FeeSpec: Sendable, Equatable {
    public var kind: FeeKind
    public var name: String
    public var amount: Int64
    public var vatRate: Int64?
    public var release: FeeRelease

    public init(kind: FeeKind, name: String, amount: Int64, vatRate: Int64? = nil, release: FeeRelease = .firstShipment) {
        self.kind = kind
        self.name = name
        self.amount = amount
        self.vatRate = vatRate
        self.release = release
    }

    /// Reads one fee; `defaultRelease` is the shop's `fee_capture` setting.
    public init(_ p: ParamReader, defaultRelease: FeeRelease) throws(OrderError) {
        guard let k = FeeKind(rawValue: try p.choice("kind", FeeKind.allCases.map(\.rawValue)) ?? "") else {
            throw OrderError.invalid(p.fieldPath("kind"), "is required: one of shipping, payment, handling, other")
        }
        kind = k
        name = try p.requiredString("name", maxLength: 200)
        amount = try p.requiredAmount("amount")
        vatRate = try p.int("vat_rate", in: 0...VAT.maxRate)
        release = try p.choice("capture", FeeRelease.allCases.map(\.rawValue)).flatMap(FeeRelease.init(rawValue:)) ?? defaultRelease
        try p.finish()
    }

    public var json: JSON {
        ["kind": .string(kind.rawValue), "name": .string(name), "amount": .int(amount), "vat_rate": .optional(vatRate),
         "capture": .string(release.rawValue)]
    }

    /// Restores from stored JSON (trusted).
    public init?(stored j: JSON) {
        guard let k = j["kind"]?.stringValue.flatMap(FeeKind.init(rawValue:)), let name = j["name"]?.stringValue,
              let amount = j["amount"]?.intValue else { return nil }
        self.init(kind: k, name: name, amount: amount, vatRate: j["vat_rate"]?.intValue,
                  release: j["capture"]?.stringValue.flatMap(FeeRelease.init(rawValue:)) ?? .firstShipment)
    }
}
