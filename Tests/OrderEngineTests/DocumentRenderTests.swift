import Foundation
import OrderCore
import OrderEngine
import Testing

/// `invoice.render`: PDF, HTML and UBL of issued documents, deterministic, by number or
/// reference; bad input refused without a change.
@Suite struct DocumentRenderTests {
    /// A shop with full seller details (valid CVR), prefixes, one invoiced order and a credit note.
    static func invoicedShop() throws -> (Shop, Int64) {
        let shop = try Shop()
        try shop.settings([
            "shop_name": "Kaffe ApS", "invoice_number_start": 5001, "invoice_number_prefix": "F-",
            "credit_note_number_start": 9001, "credit_note_number_prefix": "K-",
            "seller": ["name": "Kaffe ApS", "address": "Jægergårdsgade 50, 8000 Aarhus C, DK", "vat_number": "DK12345674"],
        ])
        let n = try shop.paidOrder()
        try shop.shipAndHandOver(n)
        try shop.capture(n)
        try shop.call("credit_note.create", ["order": .int(n), "lines": [["sku": "MUG", "qty": 1]], "reason": "Knust ved levering"])
        return (shop, n)
    }

    static func decoded(_ r: JSON) throws -> [UInt8] {
        let text = try #require(r["content_base64"]?.stringValue)
        return try #require(Base64.decode(text))
    }

    @Test("a PDF is a real PDF, the same bytes every time, and renders by number or printed reference")
    func pdf() throws {
        let (shop, _) = try Self.invoicedShop()
        let a = try shop.call("invoice.render", ["number": "F-5001", "format": "pdf"])
        let b = try shop.call("invoice.render", ["number": 5001, "format": "pdf"])
        let bytes = try Self.decoded(a)
        #expect(bytes.starts(with: Array("%PDF-".utf8)))
        #expect(a["bytes"]?.intValue == Int64(bytes.count))
        #expect(try Self.decoded(b) == bytes, "deterministic")
        #expect(a["reference"] == "F-5001")
        let credit = try shop.call("invoice.render", ["number": "K-9001", "format": "pdf"])
        #expect(credit["kind"] == "credit_note")
    }

    @Test("HTML and UBL carry the § 58 fields and the credit note's reference to its invoice")
    func htmlAndUBL() throws {
        let (shop, _) = try Self.invoicedShop()
        let html = String(decoding: try Self.decoded(try shop.call("invoice.render", ["number": "F-5001", "format": "html"])), as: UTF8.self)
        for s in ["Faktura", "F-5001", "Fakturadato", "23.11.2026", "Kaffe ApS", "DK12345674", "Mette Hansen", "Vestergade 1",
                  "8000 Aarhus C", "T-shirt", "Enhedspris ekskl. moms", "159,20", "Moms 25 % af 397,60 kr.", "99,40 kr.", "497,00 kr.", "Betalt"] {
            #expect(html.contains(s), "html has \(s)")
        }
        let en = String(decoding: try Self.decoded(try shop.call("invoice.render", ["number": "F-5001", "format": "html", "language": "en"])), as: UTF8.self)
        #expect(en.contains("Invoice date") && en.contains("23 November 2026") && en.contains("Unit price excl. VAT"))
        let ubl = String(decoding: try Self.decoded(try shop.call("invoice.render", ["number": "K-9001", "format": "ubl"])), as: UTF8.self)
        #expect(ubl.contains("<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\""))
        #expect(ubl.contains("<cac:BillingReference>") && ubl.contains("<cbc:ID>F-5001</cbc:ID>"))
        #expect(ubl.contains("<cbc:EndpointID schemeID=\"0184\">DK12345674</cbc:EndpointID>"))
        #expect(ubl.contains("<cbc:Note>Knust ved levering</cbc:Note>"))
    }

    @Test("with path the file is written and the result names it")
    func path() throws {
        let (shop, _) = try Self.invoicedShop()
        let dir = try TempDir()
        defer { dir.cleanup() }
        let r = try shop.call("invoice.render", ["number": "F-5001", "format": "ubl", "path": .string(dir.path("f.xml"))])
        #expect(r["path"]?.stringValue == dir.path("f.xml"))
        #expect(r["content_base64"] == nil)
        let text = try String(contentsOfFile: dir.path("f.xml"), encoding: .utf8)
        #expect(text.hasPrefix("<?xml") && Int64(text.utf8.count) == r["bytes"]?.intValue)
    }

    @Test("unknown documents, formats and paths are refused by name, and nothing changes")
    func badInput() throws {
        let (shop, _) = try Self.invoicedShop()
        try expectRefused(shop, .notFound, "invoice 4711 does not exist") { try shop.call("invoice.render", ["number": 4711, "format": "pdf"]) }
        try expectRefused(shop, .notFound, "credit note 5001") { try shop.call("invoice.render", ["number": 5001, "kind": "credit_note", "format": "pdf"]) }
        try expectRefused(shop, .invalid, "number", "X-1") { try shop.call("invoice.render", ["number": "X-1", "format": "pdf"]) }
        try expectRefused(shop, .invalid, "format") { try shop.call("invoice.render", ["number": 5001, "format": "docx"]) }
        try expectRefused(shop, .invalid, "format", "is required") { try shop.call("invoice.render", ["number": 5001]) }
        try expectRefused(shop, .invalid, "number", "is required") { try shop.call("invoice.render", ["format": "pdf"]) }
        try expectRefused(shop, .invalid, "path", "/no/such/dir/f.pdf") {
            try shop.call("invoice.render", ["number": 5001, "format": "pdf", "path": "/no/such/dir/f.pdf"])
        }
        try expectRefused(shop, .invalid, "documents.logo_file") { try shop.settings(["documents": ["logo_file": "/no/such/logo.png"]]) }
    }

    @Test("a path not named for the format (traversal to another kind of file) is refused and the file is left as it was")
    func hostilePaths() throws {
        let (shop, _) = try Self.invoicedShop()
        let dir = try TempDir()
        defer { dir.cleanup() }
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: dir.path("passwd")))
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: dir.path("f.pdf")))
        for (format, path) in [("pdf", dir.path("sub/../passwd")), ("pdf", dir.path("passwd")), ("ubl", dir.path("f.pdf")),
                               ("html", dir.path(".html")), ("pdf", dir.path("f.pdf") + "/")] {
            try expectRefused(shop, .invalid, "path", "must be a file name ending in") {
                try shop.call("invoice.render", ["number": 5001, "format": .string(format), "path": .string(path)])
            }
        }
        #expect(try String(contentsOfFile: dir.path("passwd"), encoding: .utf8) == "keep me")
        #expect(try String(contentsOfFile: dir.path("f.pdf"), encoding: .utf8) == "keep me")
        let r = try shop.call("invoice.render", ["number": 5001, "format": "html", "path": .string(dir.path("F-5001.HTM"))])
        #expect(r["bytes"]?.intValue ?? 0 > 0)
    }

    @Test("a logo that is too large or not a PNG is refused when set, naming the setting")
    func hostileLogos() throws {
        let (shop, _) = try Self.invoicedShop()
        let dir = try TempDir()
        defer { dir.cleanup() }
        try Data(count: 5 << 20).write(to: URL(fileURLWithPath: dir.path("huge.png")))
        try Data("GIF89a not a png".utf8).write(to: URL(fileURLWithPath: dir.path("fake.png")))
        try expectRefused(shop, .invalid, "documents.logo_file", "larger than") {
            try shop.settings(["documents": ["logo_file": .string(dir.path("huge.png"))]])
        }
        try expectRefused(shop, .invalid, "documents.logo_file", "not a PNG") {
            try shop.settings(["documents": ["logo_file": .string(dir.path("fake.png"))]])
        }
        #expect(try shop.call("invoice.render", ["number": 5001, "format": "pdf"])["bytes"]?.intValue ?? 0 > 0)
    }

    @Test("a configured PNG logo is drawn into the PDF")
    func logo() throws {
        let (shop, _) = try Self.invoicedShop()
        let plain = try Self.decoded(try shop.call("invoice.render", ["number": 5001, "format": "pdf"]))
        let dir = try TempDir()
        defer { dir.cleanup() }
        // A 1×1 red PNG.
        let png = Base64.decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")!
        try Data(png).write(to: URL(fileURLWithPath: dir.path("logo.png")))
        try shop.settings(["documents": ["logo_file": .string(dir.path("logo.png"))]])
        let withLogo = try Self.decoded(try shop.call("invoice.render", ["number": 5001, "format": "pdf"]))
        #expect(withLogo != plain)
        #expect(String(decoding: withLogo, as: UTF8.self).contains("/Subtype /Image"))
    }
}
