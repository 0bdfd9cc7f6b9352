import OrderCore
import OrderDocuments
import OrderStore

/// `invoice.render` (and `invoice.send` in InvoiceMail): an issued invoice or credit note as
/// a PDF, HTML page or Peppol BIS Billing 3.0 UBL document.
enum DocumentCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("invoice.render", .read, "an invoice or credit note as PDF, HTML or Peppol BIS 3.0 UBL (base64, or written to path)", run: render))
    }

    /// `{"number": 5001 | "F-5001", "kind"?: "invoice"|"credit_note", "format": "pdf"|"html"|"ubl",
    /// "language"?: "da"|"en", "path"?}` → `{"format", "bytes", "content_base64"}`, or with
    /// `path` `{"format", "bytes", "path"}` after writing the file (replaced atomically).
    static func render(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let doc = try document(ctx, p)
        guard let format = DocumentFormat(rawValue: try p.choice("format", DocumentFormat.allCases.map(\.rawValue)) ?? "") else {
            throw OrderError.invalid("format", "is required: pdf, html or ubl")
        }
        let language = try p.choice("language", Language.allCases.map(\.rawValue)).flatMap(Language.init(rawValue:))
        let path = try p.string("path", maxLength: 4096)
        try p.finish()
        if let path { try checkPath(path, format) }
        let bytes = try renderBytes(doc, format: format, language: language, ctx: ctx)
        var o: JSONObject = ["format": .string(format.rawValue), "bytes": .int(Int64(bytes.count)),
                             "kind": .string(doc.kind.rawValue), "number": .int(doc.number), "reference": .string(doc.reference)]
        if let path {
            try LocalFile.write(bytes, to: path, field: "path")
            o["path"] = .string(path)
        } else {
            o["content_base64"] = .string(Base64.encode(bytes))
        }
        return .object(o)
    }

    /// A rendered document is written only to a file named for its format (`.pdf`, `.html` /
    /// `.htm`, `.xml`), so a hostile or mistyped `path` (`../../etc/passwd`, a script, a
    /// database) is refused before anything is rendered or written, and never replaced.
    static func checkPath(_ path: String, _ format: DocumentFormat) throws {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map { $0.lowercased() } ?? ""
        let allowed = format == .html ? [".html", ".htm"] : [".\(format.fileExtension)"]
        guard allowed.contains(where: { name.hasSuffix($0) && name.count > $0.count }) else {
            throw OrderError.invalid("path", "'\(path)' must be a file name ending in \(allowed.joined(separator: " or ")) for format \(format.rawValue)")
        }
    }

    /// The document named by `number` (an integer, or the printed reference with its series
    /// prefix such as `F-5001` / `K-9001`) and `kind`; `not_found` when there is none.
    static func document(_ ctx: CommandContext, _ p: ParamReader) throws -> InvoiceDocument {
        var kind = try p.choice("kind", DocumentKind.allCases.map(\.rawValue)).flatMap(DocumentKind.init(rawValue:))
        let number: Int64
        switch p.raw("number") {
        case .int(let n)?:
            number = n
        case .string(let s)?:
            let (k, n) = try parseReference(s, kind: kind, ctx: ctx)
            kind = k
            number = n
        case nil: throw OrderError.invalid("number", "is required: the document number, e.g. 5001 or \"F-5001\"")
        default: throw OrderError.invalid("number", "expected a document number or reference")
        }
        let k = kind ?? .invoice
        guard number > 0, let d = try ctx.session.document(k, number) else {
            throw OrderError.notFound("\(k == .invoice ? "invoice" : "credit note") \(number) does not exist")
        }
        return d
    }

    /// `F-5001` → (invoice, 5001) by the series prefixes; a bare number keeps `kind`.
    static func parseReference(_ s: String, kind: DocumentKind?, ctx: CommandContext) throws -> (DocumentKind?, Int64) {
        let candidates: [(DocumentKind, String)] = [(.invoice, ctx.settings.prefix(.invoice)), (.credit_note, ctx.settings.prefix(.credit_note))]
            .filter { kind == nil || $0.0 == kind }
            .sorted { $0.1.count > $1.1.count }
        for (k, prefix) in candidates where s.hasPrefix(prefix) {
            if let n = Int64(s.dropFirst(prefix.count)), n > 0 { return (prefix.isEmpty ? kind : k, n) }
        }
        throw OrderError.invalid("number", "'\(s)' is not a document number or a reference with a series prefix (\(candidates.map { $0.1.isEmpty ? "none" : $0.1 }.joined(separator: ", ")))")
    }

    /// The rendered bytes of `doc`: in `language`, or the customer's.
    static func renderBytes(_ doc: InvoiceDocument, format: DocumentFormat, language: Language?, ctx: CommandContext) throws -> [UInt8] {
        let input = try input(doc, language: language, ctx: ctx)
        do { return try DocumentRenderer.render(input, as: format) } catch {
            throw OrderError(.storage, "cannot render \(doc.reference) as \(format.rawValue): \(error)")
        }
    }

    /// Resolves what the renderers need: language, the credited invoice, the logo, the font,
    /// and the buyer's contact for documents issued before it was recorded on them.
    static func input(_ doc: InvoiceDocument, language: Language?, ctx: CommandContext) throws -> DocumentInput {
        var d = doc
        let order = try ctx.session.loadAggregate(doc.order)
        if d.buyerEmail == nil { d.buyerEmail = order?.order.customer.email }
        if d.buyerPostalAddress == nil {
            d.buyerPostalAddress = order.flatMap { $0.order.customer.billingAddress ?? $0.order.customer.deliveryAddress }
        }
        if d.kind == .invoice && d.paid == nil, let a = order {
            // Documents issued before `paid` was recorded: what was captured, in issue order.
            let earlier = a.invoices.filter { $0.number < d.number }.reduce(0) { $0 + $1.total }
            d.paid = min(d.total, max(0, a.payments.captured - earlier))
        }
        if d.kind == .invoice && d.seller.vatNumber.isEmpty { throw OrderError.invalid("seller", "the invoice has no seller VAT number") }
        var credited: (String, String)?
        if let c = d.creditsInvoice, let inv = try ctx.session.document(.invoice, c) { credited = (inv.reference, inv.issueDate) }
        let lang = language ?? order?.order.customer.language ?? .da
        var logo: [UInt8]?
        if let path = ctx.settings.documents.logoFile { logo = try LocalFile.read(path, field: "documents.logo_file", maxBytes: 4 << 20) }
        return DocumentInput(document: d, language: lang, creditedInvoice: credited, logoPNG: logo,
                             fontFamily: ctx.settings.documents.font)
    }
}
