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
}
