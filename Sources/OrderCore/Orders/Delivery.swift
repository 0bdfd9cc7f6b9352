/// How the goods reach the customer: shipped by a carrier, or picked up at a named location
/// (click-and-collect).
public enum Delivery: Sendable, Equatable {
    /// Shipped; the carrier may be chosen later, at `shipment.create`.
    case shipping(carrier: String?)
    /// Click-and-collect at `location` (a shop or pickup point name).
    case pickup(location: String)

    /// `"shipping"` or `"pickup"`.
    public var method: String {
        switch self {
        case .shipping: "shipping"
        case .pickup: "pickup"
        }
    }

    /// The carrier, for shipping with one chosen.
    public var carrier: String? {
        if case .shipping(let c) = self { return c }
        return nil
    }

    /// Reads `{"method": "shipping", "carrier"?}` or `{"method": "pickup", "location"}`.
    public init(_ p: ParamReader) throws(OrderError) {
        let method = try p.choice("method", ["shipping", "pickup"]) ?? "shipping"
        if method == "pickup" {
            self = .pickup(location: try p.requiredString("location", maxLength: 200))
        } else {
            self = .shipping(carrier: try p.string("carrier", maxLength: 64))
        }
        try p.finish()
    }

    public var json: JSON {
        switch self {
        case .shipping(let c):
            var o: JSONObject = ["method": "shipping"]
            if let c { o["carrier"] = .string(c) }
            return .object(o)
        case .pickup(let l): return ["method": "pickup", "location": .string(l)]
        }
    }

    /// Restores from stored JSON.
    public init(stored json: JSON) {
        if json["method"]?.stringValue == "pickup" {
            self = .pickup(location: json["location"]?.stringValue ?? "")
        } else {
            self = .shipping(carrier: json["carrier"]?.stringValue)
        }
    }
}
