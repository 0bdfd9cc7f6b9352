import CPangoCairo
import OrderCore

/// Typesets a `DocumentLayout` as an A4 PDF with cairo and pango: fonts through fontconfig
/// (DejaVu Sans unless the shop names another), embedded and subset by cairo; more lines than
/// fit run onto further pages with the table heading repeated and a page number in the footer.
///
/// Deterministic: the PDF's creation date is the document's issue time, so one document gives
/// the same bytes on every render. Thread-safe: every call builds its own surface and layouts.
public enum PDFRenderer {
    /// The PDF bytes of `layout`; throws `DocumentError` if cairo reports a failure.
    public static func render(_ layout: DocumentLayout) throws(DocumentError) -> [UInt8] {
        let sink = ByteSink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        guard let surface = cairo_pdf_surface_create_for_stream(writeToSink, box.toOpaque(), Page.width, Page.height) else {
            throw DocumentError("cairo could not create a PDF surface")
        }
        let stamp = String(layout.issuedAt.iso8601.prefix(19))
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, stamp)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, stamp)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "\(layout.title) \(layout.reference)")
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, layout.seller.lines.first ?? "")
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "OrderEngine")
        guard let cr = cairo_create(surface) else { throw DocumentError("cairo could not create a context") }
        var page = Page(cr: cr, layout: layout)
        page.drawDocument()
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw DocumentError("cairo failed to write the PDF: \(String(cString: cairo_status_to_string(status)))")
        }
        return sink.bytes
    }
}

/// A failure to render a document (the renderer's own, not the caller's input).
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

final class ByteSink: @unchecked Sendable {
    var bytes: [UInt8] = []
}

private func writeToSink(_ closure: UnsafeMutableRawPointer?, _ data: UnsafePointer<UInt8>?, _ length: UInt32) -> cairo_status_t {
    guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
    Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
    return CAIRO_STATUS_SUCCESS
}

/// Reads PNG bytes for cairo's PNG loader.
private final class ByteSource {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

private func readFromSource(_ closure: UnsafeMutableRawPointer?, _ data: UnsafeMutablePointer<UInt8>?, _ length: UInt32) -> cairo_status_t {
    guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
    let src = Unmanaged<ByteSource>.fromOpaque(closure).takeUnretainedValue()
    let n = Int(length)
    guard src.offset + n <= src.bytes.count else { return CAIRO_STATUS_READ_ERROR }
    src.bytes.withUnsafeBufferPointer { b in data.update(from: b.baseAddress! + src.offset, count: n) }
    src.offset += n
    return CAIRO_STATUS_SUCCESS
}

/// The drawing state of one PDF: the cursor, the page number and the text helpers.
private struct Page {
    static let width = 595.276, height = 841.890  // A4 in points
    static let margin = 50.0
    static let footerTop = height - 48

    let cr: OpaquePointer
    let layout: DocumentLayout
    var y = margin
    var number = 1

    init(cr: OpaquePointer, layout: DocumentLayout) {
        self.cr = cr
        self.layout = layout
    }

    var contentWidth: Double { Page.width - 2 * Page.margin }

    enum Align { case left, right }

    /// Draws `text` in a box `width` wide at (x, y); returns the height it took.
    @discardableResult
    func text(_ s: String, x: Double, y: Double, width: Double, size: Double = 9, bold: Bool = false,
              align: Align = .left, grey: Bool = false) -> Double {
        guard let pl = pango_cairo_create_layout(cr) else { return 0 }
        defer { g_object_unref(UnsafeMutableRawPointer(pl)) }
        let desc = pango_font_description_new()
        pango_font_description_set_family(desc, layout.fontFamily)
        pango_font_description_set_absolute_size(desc, size * Double(PANGO_SCALE))
        pango_font_description_set_weight(desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_layout_set_font_description(pl, desc)
        pango_font_description_free(desc)
        pango_layout_set_width(pl, Int32(width * Double(PANGO_SCALE)))
        pango_layout_set_wrap(pl, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_alignment(pl, align == .right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT)
        pango_layout_set_text(pl, s, -1)
        if grey { cairo_set_source_rgb(cr, 0.35, 0.35, 0.35) } else { cairo_set_source_rgb(cr, 0, 0, 0) }
        cairo_move_to(cr, x, y)
        pango_cairo_show_layout(cr, pl)
        var w: Int32 = 0, h: Int32 = 0
        pango_layout_get_size(pl, &w, &h)
        return Double(h) / Double(PANGO_SCALE)
    }

    func rule(_ y: Double, weight: Double = 0.5) {
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6)
        cairo_set_line_width(cr, weight)
        cairo_move_to(cr, Page.margin, y)
        cairo_line_to(cr, Page.width - Page.margin, y)
        cairo_stroke(cr)
    }

    mutating func drawDocument() {
        drawHeader()
        drawParties()
        drawFacts()
        drawTable()
        drawTotals()
        drawNotes()
        drawFooter()
        cairo_show_page(cr)
    }

    mutating func drawHeader() {
        var logoHeight = 0.0
        if let png = layout.logoPNG { logoHeight = drawLogo(png) }
        let h = text(layout.title, x: Page.margin, y: y, width: contentWidth, size: 22, bold: true, align: .right)
        text(layout.reference, x: Page.margin, y: y + h, width: contentWidth, size: 11, align: .right)
        y += max(logoHeight, h + 16) + 24
    }

    /// Draws the logo at the top left, at most 160 × 56 pt; returns its height (0 if unreadable).
    func drawLogo(_ png: [UInt8]) -> Double {
        let src = Unmanaged.passRetained(ByteSource(png))
        defer { src.release() }
        guard let img = cairo_image_surface_create_from_png_stream(readFromSource, src.toOpaque()) else { return 0 }
        defer { cairo_surface_destroy(img) }
        guard cairo_surface_status(img) == CAIRO_STATUS_SUCCESS else { return 0 }
        let w = Double(cairo_image_surface_get_width(img)), h = Double(cairo_image_surface_get_height(img))
        guard w > 0, h > 0 else { return 0 }
        let scale = min(160 / w, 56 / h, 1)
        cairo_save(cr)
        cairo_translate(cr, Page.margin, y)
        cairo_scale(cr, scale, scale)
        cairo_set_source_surface(cr, img, 0, 0)
        cairo_paint(cr)
        cairo_restore(cr)
        return h * scale
    }

    mutating func drawParties() {
        let half = contentWidth / 2
        var left = y, right = y
        left += text(layout.buyer.heading, x: Page.margin, y: left, width: half - 10, size: 8, bold: true, grey: true) + 2
        for l in layout.buyer.lines { left += text(l, x: Page.margin, y: left, width: half - 10, size: 10) }
        let rx = Page.margin + half + 10
        right += text(layout.seller.heading, x: rx, y: right, width: half - 10, size: 8, bold: true, grey: true) + 2
        for l in layout.seller.lines { right += text(l, x: rx, y: right, width: half - 10, size: 10) }
        y = max(left, right) + 18
    }

    mutating func drawFacts() {
        let rx = Page.margin + contentWidth / 2 + 10
        let w = contentWidth / 2 - 10
        for f in layout.facts {
            text(f.label, x: rx, y: y, width: w * 0.45, size: 9, grey: true)
            y += text(f.value, x: rx + w * 0.45, y: y, width: w * 0.55, size: 9, align: .right) + 1
        }
        y += 18
    }

    func columnX() -> [Double] {
        var xs: [Double] = [], x = Page.margin
        for c in layout.columns {
            xs.append(x)
            x += c.weight * contentWidth
        }
        return xs
    }

    mutating func drawTableHeading() {
        let xs = columnX()
        var h = 0.0
        for (k, c) in layout.columns.enumerated() {
            let w = c.weight * contentWidth - 6
            h = max(h, text(c.heading, x: xs[k] + (c.numeric ? 0 : 0), y: y, width: w, size: 8, bold: true,
                            align: c.numeric ? .right : .left))
        }
        y += h + 3
        rule(y)
        y += 4
    }

    mutating func newPage() {
        drawFooter()
        cairo_show_page(cr)
        number += 1
        y = Page.margin
        text(layout.title + " " + layout.reference, x: Page.margin, y: y, width: contentWidth, size: 9, grey: true)
        y += 24
    }

    mutating func drawTable() {
        drawTableHeading()
        let xs = columnX()
        for row in layout.rows {
            if y > Page.footerTop - 40 {
                newPage()
                drawTableHeading()
            }
            var h = 0.0
            for (k, c) in layout.columns.enumerated() where k < row.count {
                let w = c.weight * contentWidth - 6
                h = max(h, text(row[k], x: xs[k], y: y, width: w, size: 9, align: c.numeric ? .right : .left))
            }
            y += h + 4
        }
        rule(y)
        y += 10
    }

    mutating func drawTotals() {
        let lx = Page.margin + contentWidth * 0.35
        let lw = contentWidth * 0.43, vw = contentWidth * 0.22 - 6
        let vx = Page.margin + contentWidth * 0.78
        let needed = Double(layout.vatRows.count + layout.totals.count) * 14 + 20
        if y + needed > Page.footerTop - 10 { newPage() }
        for f in layout.vatRows {
            text(f.label, x: lx, y: y, width: lw, size: 9, grey: true)
            y += text(f.value, x: vx, y: y, width: vw, size: 9, align: .right) + 2
        }
        y += 6
        for f in layout.totals {
            let size = f.strong ? 11.0 : 9.0
            text(f.label, x: lx, y: y, width: lw, size: size, bold: f.strong)
            y += text(f.value, x: vx, y: y, width: vw, size: size, bold: f.strong, align: .right) + 3
        }
        y += 16
    }

    mutating func drawNotes() {
        for n in layout.notes {
            if y > Page.footerTop - 20 { newPage() }
            y += text(n, x: Page.margin, y: y, width: contentWidth, size: 9) + 2
        }
    }

    func drawFooter() {
        rule(Page.footerTop - 4)
        text(layout.footer, x: Page.margin, y: Page.footerTop, width: contentWidth - 60, size: 7.5, grey: true)
        text("\(layout.pageWord) \(number)", x: Page.margin, y: Page.footerTop, width: contentWidth, size: 7.5, align: .right, grey: true)
    }
}
