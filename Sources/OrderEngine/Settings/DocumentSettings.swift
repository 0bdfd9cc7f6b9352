import OrderCore

/// `settings.set {"documents": {"logo_file"?, "font"?}}`: how invoices and credit notes look.
public struct DocumentSettings: Sendable, Equatable {
    /// A PNG printed at the top left of every PDF (read at each render).
    public var logoFile: String?
    /// The PDF's font family, as fontconfig names it (`DejaVu Sans`).
    public var font = "DejaVu Sans"

    public init() {}

    /// From stored JSON (trusted).
    public init(stored j: JSON?) {
        self.init()
        logoFile = j?["logo_file"]?.stringValue
        if let f = j?["font"]?.stringValue { font = f }
    }

    /// Reads the `documents` object of `settings.set`, over `current`.
    static func parse(_ p: ParamReader, over current: DocumentSettings) throws(OrderError) -> DocumentSettings {
        var s = current
        if p.isNull("logo_file") {
            _ = p.raw("logo_file")
            s.logoFile = nil
        } else if let l = try p.string("logo_file", maxLength: 4096) {
            let png = try LocalFile.read(l, field: p.fieldPath("logo_file"), maxBytes: 4 << 20)
            guard png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
                throw OrderError.invalid(p.fieldPath("logo_file"), "\(l) is not a PNG image")
            }
            s.logoFile = l
        }
        if let f = try p.string("font", maxLength: 100) { s.font = f }
        try p.finish()
        return s
    }

    public var json: JSON { ["logo_file": .optional(logoFile), "font": .string(font)] }
}
