/// The language a customer reads: status e-mails and labels are chosen by it.
public enum Language: String, Sendable, CaseIterable {
    case da, en
}

/// A postal address. Only `street`, `postal_code` and `city` are required; `country` is an
/// ISO 3166 alpha-2 code and defaults to `DK`.
public struct Address: Sendable, Equatable {
    public var name: String?
    public var street: String
    public var street2: String?
    public var postalCode: String
    public var city: String
    public var country: String

    public init(name: String? = nil, street: String, street2: String? = nil, postalCode: String, city: String, country: String = "DK") {
        self.name = name
        self.street = street
        self.street2 = street2
        self.postalCode = postalCode
        self.city = city
        self.country = country
    }

    /// Reads `{"name"?, "street", "street2"?, "postal_code", "city", "country"?}`.
    public init(_ p: ParamReader) throws(OrderError) {
        name = try p.string("name", maxLength: 200)
        street = try p.requiredString("street", maxLength: 200)
        street2 = try p.string("street2", maxLength: 200)
        postalCode = try p.requiredString("postal_code", maxLength: 20)
        city = try p.requiredString("city", maxLength: 100)
        let c = try p.string("country", maxLength: 2) ?? "DK"
        guard c.utf8.count == 2, c.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw OrderError.invalid(p.fieldPath("country"), "expected an ISO 3166 alpha-2 code such as DK, got '\(c)'")
        }
        guard ISO3166.isCountry(c) else {
            throw OrderError.invalid(p.fieldPath("country"), "'\(c)' is not an ISO 3166-1 country code (DK, DE, SE, GB, …\(c == "EL" ? "; Greece is GR" : c == "UK" ? "; the United Kingdom is GB" : ""))")
        }
        country = c
        try p.finish()
    }

    /// The JSON form (same keys as the input).
    public var json: JSON {
        var o: JSONObject = [:]
        if let name { o["name"] = .string(name) }
        o["street"] = .string(street)
        if let street2 { o["street2"] = .string(street2) }
        o["postal_code"] = .string(postalCode)
        o["city"] = .string(city)
        o["country"] = .string(country)
        return .object(o)
    }

    /// Restores an address from stored JSON written by `json` (trusted); nil when a required
    /// field is missing.
    public init?(stored j: JSON) {
        guard let street = j["street"]?.stringValue, let postal = j["postal_code"]?.stringValue,
              let city = j["city"]?.stringValue else { return nil }
        self.init(name: j["name"]?.stringValue, street: street, street2: j["street2"]?.stringValue, postalCode: postal,
                  city: city, country: j["country"]?.stringValue ?? "DK")
    }

    /// One line for reports and invoices: `Vestergade 1, 8000 Aarhus C, DK`.
    public var singleLine: String {
        [street, street2, "\(postalCode) \(city)", country].compactMap { $0 }.joined(separator: ", ")
    }
}

/// The buyer of an order.
public struct Customer: Sendable, Equatable {
    public var name: String
    public var email: String
    public var phone: String?
    public var language: Language
    public var billingAddress: Address?
    public var deliveryAddress: Address?
    /// The buyer's company (B2B).
    public var company: String?
    /// The buyer's VAT number, canonical (`DE123456789`; shape checked by `VATNumber`).
    public var vatNumber: String?

    public init(name: String, email: String, phone: String? = nil, language: Language = .da,
                billingAddress: Address? = nil, deliveryAddress: Address? = nil, company: String? = nil, vatNumber: String? = nil) {
        self.company = company
        self.vatNumber = vatNumber
        self.name = name
        self.email = email
        self.phone = phone
        self.language = language
        self.billingAddress = billingAddress
        self.deliveryAddress = deliveryAddress
    }

    /// Reads `{"name", "email", "phone"?, "language"?: "da"|"en", "billing_address"?, "delivery_address"?}`.
    public init(_ p: ParamReader) throws(OrderError) {
        name = try p.requiredString("name", maxLength: 200)
        email = try p.requiredString("email", maxLength: 254)
        guard Customer.looksLikeEmail(email) else {
            throw OrderError.invalid(p.fieldPath("email"), "'\(email)' is not an e-mail address")
        }
        phone = try p.string("phone", maxLength: 40)
        language = Language(rawValue: try p.choice("language", Language.allCases.map(\.rawValue)) ?? "da")!
        billingAddress = try p.object("billing_address").map { r throws(OrderError) in try Address(r) }
        deliveryAddress = try p.object("delivery_address").map { r throws(OrderError) in try Address(r) }
        company = try p.string("company", maxLength: 200)
        if let raw = try p.string("vat_number", maxLength: 40) {
            switch VATNumber.normalize(raw) {
            case .success(let v): vatNumber = v
            case .failure(let e): throw OrderError.invalid(p.fieldPath("vat_number"), e.message)
            }
        } else {
            vatNumber = nil
        }
        try p.finish()
    }

    /// A deliberately loose check: one `@`, something on both sides, a dot in the domain, no spaces.
    public static func looksLikeEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !s.contains(where: { $0.isWhitespace })
        else { return false }
        return true
    }

    /// The JSON form (same keys as the input).
    public var json: JSON {
        var o: JSONObject = ["name": .string(name), "email": .string(email)]
        if let phone { o["phone"] = .string(phone) }
        o["language"] = .string(language.rawValue)
        if let billingAddress { o["billing_address"] = billingAddress.json }
        if let deliveryAddress { o["delivery_address"] = deliveryAddress.json }
        if let company { o["company"] = .string(company) }
        if let vatNumber { o["vat_number"] = .string(vatNumber) }
        return .object(o)
    }
}
