import OrderCore

/// The formats a document renders to.
public enum DocumentFormat: String, Sendable, CaseIterable {
    case pdf, html, ubl

    /// The MIME type of the rendered bytes.
    public var mimeType: String {
        switch self {
        case .pdf: "application/pdf"
        case .html: "text/html; charset=utf-8"
        case .ubl: "application/xml"
        }
    }

    /// The usual file name extension.
    public var fileExtension: String {
        switch self {
        case .pdf: "pdf"
        case .html: "html"
        case .ubl: "xml"
        }
    }
}

/// Renders documents: the one entry the engine calls.
public enum DocumentRenderer {
    /// `input` in `format`, as bytes. Deterministic for a given document and engine version.
    public static func render(_ input: DocumentInput, as format: DocumentFormat) throws(DocumentError) -> [UInt8] {
        switch format {
        case .pdf: try PDFRenderer.render(DocumentLayout(input))
        case .html: Array(HTMLRenderer.render(DocumentLayout(input)).utf8)
        case .ubl: Array(UBLWriter.render(input).utf8)
        }
    }
}
