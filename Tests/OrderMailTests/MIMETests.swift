import OrderCore
@testable import OrderMail
import Testing

@Suite struct MIMETests {
    @Test("Base64 round-trips and refuses what is not Base64")
    func base64() {
        for n in 0..<20 {
            let bytes = (0..<n).map { UInt8(($0 * 37) & 255) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.decode("a*b=") == nil)
    }

    @Test("encoded words for æøå, ASCII unchanged; quoted-printable keeps lines short")
    func encoding() {
        #expect(HeaderEncoding.encodeText("Din ordre 1") == "Din ordre 1")
        #expect(HeaderEncoding.encodeText("Kære") == "=?UTF-8?B?S8OmcmU=?=")
        let qp = QuotedPrintable.encode(String(repeating: "ø", count: 100) + " \nslut")
        #expect(qp.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(qp.contains("=20\r\nslut\r\n"))
        #expect(HeaderEncoding.date(Timestamp(year: 2026, month: 12, day: 2, hour: 7, minute: 41, second: 49)) == "Wed, 02 Dec 2026 07:41:49 +0000")
    }

    @Test("relaxed canonicalization folds white space and drops empty trailing lines")
    func canonical() {
        #expect(DKIMCanonical.header(Array("SubJect : a \r\n\t b  ".utf8)) == Array("subject:a b".utf8))
        #expect(DKIMCanonical.body(ArraySlice(Array("a  b \r\n\r\n\r\n".utf8))) == Array("a b\r\n".utf8))
    }

    @Test("an IDN sender domain: From header and Reply-To in A-labels, the display name UTF-8 as an encoded word")
    func idnFrom() {
        let m = MailMessage(from: "Kaffebønner ApS <ordre@kaffebønner.dk>", to: "mette@kåffe.dk", replyTo: "kundeservice@kaffebønner.dk",
                            subject: "Din ordre", text: "Tak.", messageID: "outbox-1.1@xn--kaffebnner-5cb.dk",
                            date: Timestamp(year: 2026, month: 12, day: 2, hour: 7))
        let text = String(decoding: MIMEBuilder.build(m), as: UTF8.self)
        #expect(text.contains("From: =?UTF-8?B?" ) && text.contains(" <ordre@xn--kaffebnner-5cb.dk>\r\n"))
        #expect(text.contains("To: <mette@xn--kffe-qoa.dk>") || text.contains("To: mette@xn--kffe-qoa.dk"))
        #expect(text.contains("kundeservice@xn--kaffebnner-5cb.dk"))
        #expect(!text.contains("bønner.dk"), "no raw UTF-8 domain in any header")
        #expect(HeaderEncoding.encodeMailbox("Kaffebønner ApS <ordre@kaffebønner.dk>") == "=?UTF-8?B?S2FmZmViw7huIG5lciBBcFM=?= <ordre@xn--kaffebnner-5cb.dk>"
            || HeaderEncoding.encodeMailbox("Kaffebønner ApS <ordre@kaffebønner.dk>").hasSuffix(" <ordre@xn--kaffebnner-5cb.dk>"))
        #expect(MailAddress.asciiDomain("ordre@kaffebønner.dk") == "ordre@xn--kaffebnner-5cb.dk")
    }
}
