import Foundation
import OrderCore
import OrderEngine
import Testing

/// The `mail` settings, `mail.dkim_keygen`, `mail.dns_records`, `invoice.send` and the MIME
/// the Mailer port receives.
@Suite struct MailSettingsTests {
    @Test("mail settings are checked field by field; the password never appears, only its variable's name")
    func settings() throws {
        let shop = try Shop()
        let r = try shop.settings(["mail": ["from": "Kaffe ApS <ordre@kaffe.dk>", "smtp_url": "smtp://mail.kaffe.dk:587",
                                            "smtp_user": "ordre@kaffe.dk", "smtp_password_env": "KAFFE_SMTP_PASSWORD"]])
        #expect(r["mail"]?["from"] == "Kaffe ApS <ordre@kaffe.dk>")
        #expect(r["mail"]?["starttls"] == "required")
        #expect(r["mail"]?["smtp_password_env"] == "KAFFE_SMTP_PASSWORD")
        try expectRefused(shop, .invalid, "mail.smtp_url") { try shop.settings(["mail": ["smtp_url": "http://x"]]) }
        try expectRefused(shop, .invalid, "mail.from") { try shop.settings(["mail": ["from": "Kaffe ApS"]]) }
        try expectRefused(shop, .invalid, "mail.starttls") { try shop.settings(["mail": ["starttls": "maybe"]]) }
        try expectRefused(shop, .invalid, "mail.smtp_password_env", "not the password") { try shop.settings(["mail": ["smtp_password_env": "hunter 2!"]]) }
        try expectRefused(shop, .invalid, "mail.dkim.domain") {
            try shop.settings(["mail": ["dkim": ["domain": "kaffe", "selector": "s1", "key_file": "/x"]]])
        }
        try expectRefused(shop, .invalid, "mail.password") { try shop.settings(["mail": ["password": "x"]]) }
    }

    @Test("dkim_keygen writes a 0600 key it never overwrites; dns_records gives DKIM, SPF with the relay, and DMARC")
    func keygenAndRecords() throws {
        let shop = try Shop()
        let dir = try TempDir()
        defer { dir.cleanup() }
        for alg in ["ed25519-sha256", "rsa-sha256"] {
            let path = dir.path("\(alg).key")
            let r = try shop.call("mail.dkim_keygen", ["domain": "kaffe.dk", "selector": "oe1", "algorithm": .string(alg), "key_file": .string(path)])
            #expect(r["name"] == "oe1._domainkey.kaffe.dk")
            #expect(r["type"] == "TXT")
            #expect(r["value"]?.stringValue?.hasPrefix(alg == "rsa-sha256" ? "v=DKIM1; k=rsa; p=MIIB" : "v=DKIM1; k=ed25519; p=") == true)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            try expectRefused(shop, .conflict, "exists", "never overwritten") {
                try shop.call("mail.dkim_keygen", ["domain": "kaffe.dk", "selector": "oe1", "key_file": .string(path)])
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            try shop.settings(["mail": ["from": "Kaffe ApS <ordre@kaffe.dk>", "smtp_url": "smtp://relay.kaffe-mail.dk:587",
                                        "dmarc_report_to": "dmarc@kaffe.dk",
                                        "dkim": ["domain": "kaffe.dk", "selector": "oe1", "algorithm": .string(alg), "key_file": .string(path)]]])
            let records = try #require(try shop.call("mail.dns_records")["records"]?.arrayValue)
            #expect(records.map { $0["purpose"]?.stringValue } == ["dkim", "spf", "dmarc"])
            #expect(records[0]["value"] == r["value"])
            #expect(records[1]["name"] == "kaffe.dk" && records[1]["value"] == "v=spf1 mx a:relay.kaffe-mail.dk ~all")
            #expect(records[2]["name"] == "_dmarc.kaffe.dk" && records[2]["value"] == "v=DMARC1; p=none; rua=mailto:dmarc@kaffe.dk; adkim=r; aspf=r")
        }
        try "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n".write(toFile: dir.path("broken.key"), atomically: true, encoding: .utf8)
        try shop.settings(["mail": ["dkim": ["domain": "kaffe.dk", "selector": "oe1", "algorithm": "rsa-sha256", "key_file": .string(dir.path("broken.key"))]]])
        try expectRefused(shop, .invalid, "mail.dkim.key_file", "broken.key") { try shop.call("mail.dns_records") }
    }

    @Test("a broken DKIM key keeps every message pending with the reason; nothing is lost")
    func brokenKey() throws {
        let shop = try Shop()
        let dir = try TempDir()
        defer { dir.cleanup() }
        try "garbage".write(toFile: dir.path("k.pem"), atomically: true, encoding: .utf8)
        try shop.settings(["mail": ["from": "Kaffe ApS <ordre@kaffe.dk>",
                                    "dkim": ["domain": "kaffe.dk", "selector": "oe1", "algorithm": "rsa-sha256", "key_file": .string(dir.path("k.pem"))]]])
        try shop.paidOrder()
        let r = try shop.call("outbox.deliver")
        #expect(r["sent"] == [] && r["retrying"] == [1])
        #expect(r["errors"]?[0]?["error"]?.stringValue?.contains("mail.dkim.key_file") == true)
        #expect(shop.mailer.messages.isEmpty)
        #expect(try shop.outbox().count == 1)
    }

    @Test("an IDN sender domain (mail.from kaffebønner.dk): A-labels in From, Message-ID, DKIM d= and the DNS names; the name in UTF-8")
    func idnSender() throws {
        let shop = try Shop()
        let dir = try TempDir()
        defer { dir.cleanup() }
        let key = dir.path("idn.key")
        let r = try shop.call("mail.dkim_keygen", ["domain": "kaffebønner.dk", "selector": "oe1", "algorithm": "ed25519-sha256", "key_file": .string(key)])
        #expect(r["name"] == "oe1._domainkey.xn--kaffebnner-5cb.dk")
        let s = try shop.settings(["mail": ["from": "Kaffebønner ApS <ordre@kaffebønner.dk>",
                                            "dkim": ["domain": "Kaffebønner.dk", "selector": "oe1", "algorithm": "ed25519-sha256", "key_file": .string(key)]]])
        #expect(s["mail"]?["dkim"]?["domain"] == "xn--kaffebnner-5cb.dk")
        #expect(s["mail"]?["from"] == "Kaffebønner ApS <ordre@kaffebønner.dk>", "the setting keeps what the shop wrote")
        let records = try #require(try shop.call("mail.dns_records")["records"]?.arrayValue)
        #expect(records.map { $0["name"]?.stringValue ?? "" } == ["oe1._domainkey.xn--kaffebnner-5cb.dk", "xn--kaffebnner-5cb.dk", "_dmarc.xn--kaffebnner-5cb.dk"])
        try shop.paidOrder()
        _ = try shop.call("outbox.deliver")
        let sent = try #require(shop.mailer.messages.first)
        let mime = try #require(sent.mime)
        #expect(mime.contains("From: =?UTF-8?B?") && mime.contains("<ordre@xn--kaffebnner-5cb.dk>\r\n"))
        #expect(mime.contains("Message-ID: <outbox-1.\(Shop.start.seconds)@xn--kaffebnner-5cb.dk>\r\n"))
        #expect(mime.contains("d=xn--kaffebnner-5cb.dk;"), "DKIM d= aligned with the From domain (DMARC)")
        #expect(mime.utf8.allSatisfy { $0 < 128 })
        try expectRefused(shop, .invalid, "mail.dkim.domain") {
            try shop.settings(["mail": ["dkim": ["domain": "kaffe bønner.dk", "selector": "oe1", "key_file": .string(key)]]])
        }
    }

    @Test("the Mailer port gets the finished MIME: encoded Danish subject, From from settings, text and HTML")
    func mimeToThePort() throws {
        let shop = try Shop()
        try shop.settings(["mail": ["from": "Kaffe ApS <ordre@kaffe.dk>", "reply_to": "kundeservice@kaffe.dk"]])
        try shop.paidOrder(customer: Shop.customer(name: "Søren Ærø"))
        _ = try shop.call("outbox.deliver")
        let m = try #require(shop.mailer.messages.first)
        let mime = try #require(m.mime)
        #expect(mime.contains("From: Kaffe ApS <ordre@kaffe.dk>\r\n"))
        #expect(mime.contains("Reply-To: kundeservice@kaffe.dk\r\n"))
        #expect(mime.contains("To: mette@example.dk\r\n"))
        #expect(mime.contains("Message-ID: <outbox-1.\(Shop.start.seconds)@kaffe.dk>\r\n"))
        #expect(mime.contains("Content-Type: multipart/alternative;"))
        #expect(mime.contains("Content-Type: text/html; charset=utf-8"))
        #expect(mime.contains("Subject: Tak for din ordre 1\r\n"))
        #expect(mime.contains("K=C3=A6re S=C3=B8ren =C3=86r=C3=B8"), "quoted-printable UTF-8 body")
        #expect(mime.utf8.allSatisfy { $0 < 128 })
    }

    @Test("invoice.send queues the e-mail with the PDF attached; send_invoices queues it at issue")
    func invoiceSend() throws {
        let (shop, n) = try DocumentRenderTests.invoicedShop()
        try expectRefused(shop, .invalid, "to") { try shop.call("invoice.send", ["number": "F-5001", "to": "nope"]) }
        try expectRefused(shop, .notFound, "invoice 1") { try shop.call("invoice.send", ["number": 1]) }
        let r = try shop.call("invoice.send", ["number": "F-5001"])
        #expect(r["to"] == "mette@example.dk")
        #expect(try shop.timeline(n).last?["event"] == "mail.queued")
        _ = try shop.call("outbox.deliver")
        let m = try #require(shop.mailer.messages.last)
        #expect(m.subject == "Faktura F-5001 fra Kaffe ApS")
        let mime = try #require(m.mime)
        #expect(mime.contains("Content-Type: multipart/mixed;"))
        #expect(mime.contains("Content-Type: application/pdf; name=\"F-5001.pdf\""))
        #expect(mime.contains("Content-Disposition: attachment; filename=\"F-5001.pdf\""))
        #expect(mime.contains("JVBERi0"), "base64 of %PDF-")

        try shop.settings(["mail": ["send_invoices": true]])
        let m2 = try shop.paidOrder()
        try shop.shipAndHandOver(m2)
        try shop.capture(m2)
        #expect(try shop.outbox().contains { $0["subject"] == "Faktura F-5002 fra Kaffe ApS" && $0["attachment"]?["number"] == 5002 })
    }

    @Test("outbox.list filters by state, failed included")
    func listByState() throws {
        let shop = try Shop()
        try shop.paidOrder()
        #expect(try shop.call("outbox.list", ["state": "failed"])["messages"] == [])
        #expect(try shop.call("outbox.list", ["state": "pending"])["messages"]?.count == 1)
        try expectRefused(shop, .invalid, "state") { try shop.call("outbox.list", ["state": "lost"]) }
    }
}
