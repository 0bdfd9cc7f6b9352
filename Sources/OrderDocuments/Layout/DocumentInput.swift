import OrderCore

/// Everything a rendered invoice or credit note shows, resolved by the engine from the stored
/// document, the shop's settings and the order: the renderers read nothing else, so a document
/// renders to the same bytes every time.
public struct DocumentInput: Sendable {
    /// The issued document (an accounting record, never changed).
    public var document: InvoiceDocument
    /// The language of the printed texts.
    public var language: Language
    /// The seller's address as fields, parsed from the printed address.
    public var sellerAddress: PostalAddress
    /// For a credit note: the reference and issue date of the invoice it corrects.
    public var creditedInvoice: (reference: String, issueDate: String)?
    /// The shop's logo as PNG bytes, if configured.
    public var logoPNG: [UInt8]?
    /// The font family for the PDF (fontconfig name), `DejaVu Sans` by default.
    public var fontFamily: String

    public init(document: InvoiceDocument, language: Language, creditedInvoice: (reference: String, issueDate: String)? = nil,
                logoPNG: [UInt8]? = nil, fontFamily: String = "DejaVu Sans") {
        self.document = document
        self.language = language
        self.sellerAddress = PostalAddress(parsing: document.seller.address)
        self.creditedInvoice = creditedInvoice
        self.logoPNG = logoPNG
        self.fontFamily = fontFamily
    }
}

/// A postal address in the fields an e-invoice wants (street, postal code, city, country).
public struct PostalAddress: Sendable, Equatable {
    public var street: String?
    public var additionalStreet: String?
    public var postalCode: String?
    public var city: String?
    /// ISO 3166 alpha-2.
    public var country: String

    public init(street: String?, additionalStreet: String? = nil, postalCode: String?, city: String?, country: String) {
        self.street = street
        self.additionalStreet = additionalStreet
        self.postalCode = postalCode
        self.city = city
        self.country = country
    }

    /// From an order's address.
    public init(_ a: Address) {
        self.init(street: a.street, additionalStreet: a.street2, postalCode: a.postalCode, city: a.city, country: a.country)
    }

    /// Parses a one-line address as shops write it: parts separated by commas or new lines;
    /// a last part of two capital letters is the country (default `DK`); a part that starts
    /// with digits followed by a space is the postal code and city (`8000 Aarhus C`); the parts
    /// before it are the street lines. Never fails: what does not fit stays in `street`.
    public init(parsing text: String) {
        var parts = text.split(whereSeparator: { $0 == "," || $0 == "\n" })
            .map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        var country = "DK"
        if let last = parts.last, last.count == 2, last.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }) {
            country = last
            parts.removeLast()
        }
        var postal: String?, city: String?
        if let k = parts.lastIndex(where: PostalAddress.startsWithPostalCode) {
            let p = parts[k]
            let digits = p.prefix { $0.isNumber }
            postal = String(digits)
            city = String(p.dropFirst(digits.count)).trimmingCharacters()
            parts.remove(at: k)
        }
        self.init(street: parts.first, additionalStreet: parts.count > 1 ? parts.dropFirst().joined(separator: ", ") : nil,
                  postalCode: postal, city: city, country: country)
    }

    private static func startsWithPostalCode(_ s: String) -> Bool {
        let digits = s.prefix { $0.isNumber }
        return digits.count >= 3 && digits.count <= 6 && s.dropFirst(digits.count).first == " "
    }

    /// The printed lines: street lines, then `postal code city`, then the country when not Danish.
    public var lines: [String] {
        var l: [String] = []
        if let street { l.append(street) }
        if let additionalStreet { l.append(additionalStreet) }
        let pc = [postalCode, city].compactMap { $0 }.joined(separator: " ")
        if !pc.isEmpty { l.append(pc) }
        if country != "DK" { l.append(country) }
        return l
    }
}

extension String {
    /// Without leading and trailing white space.
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingCharacters() }
}
