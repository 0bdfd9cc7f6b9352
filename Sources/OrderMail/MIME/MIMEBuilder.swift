import OrderCore

/// Builds the bytes of an RFC 5322 / MIME message: headers (encoded words for non-ASCII),
/// `multipart/alternative` text + HTML when there is HTML, inside `multipart/mixed` when there
/// are attachments; text parts UTF-8 quoted-printable, attachments base64. Lines end in CRLF
/// and never exceed 998 bytes; the result is 7-bit ASCII. Deterministic: the boundaries come
/// from the Message-ID, so one message builds to the same bytes every time.
public enum MIMEBuilder {
    /// The message's bytes.
    public static func build(_ m: MailMessage) -> [UInt8] {
        var head: [(String, String)] = [
            ("From", HeaderEncoding.encodeMailbox(m.from)),
            ("To", HeaderEncoding.encodeMailbox(m.to)),
        ]
        if let r = m.replyTo { head.append(("Reply-To", HeaderEncoding.encodeMailbox(r))) }
        head += [
            ("Subject", HeaderEncoding.encodeText(m.subject)),
            ("Date", HeaderEncoding.date(m.date)),
            ("Message-ID", "<\(m.messageID)>"),
            ("MIME-Version", "1.0"),
        ]
        for (k, v) in m.extraHeaders { head.append((k, HeaderEncoding.encodeText(v))) }
        let tag = boundaryTag(m.messageID)
        let (contentType, body) = bodyPart(m, tag: tag)
        var out = ""
        for (k, v) in head { out += "\(k): \(v)\r\n" }
        out += contentType
        out += "\r\n"
        out += body
        return Array(out.utf8)
    }

    /// The top-level Content-Type header lines and the body.
    private static func bodyPart(_ m: MailMessage, tag: String) -> (String, String) {
        let text = textPart(m.text, subtype: "plain")
        var alternative = text
        if let html = m.html {
            let b = "=_alt_\(tag)"
            alternative = ("Content-Type: multipart/alternative; boundary=\"\(b)\"\r\n",
                           "--\(b)\r\n\(text.0)\r\n\(text.1)\r\n--\(b)\r\n" + {
                               let h = textPart(html, subtype: "html")
                               return "\(h.0)\r\n\(h.1)\r\n--\(b)--\r\n"
                           }())
        }
        guard !m.attachments.isEmpty else { return alternative }
        let b = "=_mix_\(tag)"
        var body = "This is a multi-part message in MIME format.\r\n--\(b)\r\n\(alternative.0)\r\n\(alternative.1)"
        for a in m.attachments {
            let name = HeaderEncoding.encodeText(a.filename).replacingAll("\"", "")
            body += "\r\n--\(b)\r\nContent-Type: \(a.mimeType); name=\"\(name)\"\r\n"
            body += "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"\(name)\"\r\n\r\n"
            body += Base64.encode(a.bytes, lineLength: 76) + "\r\n"
        }
        body += "--\(b)--\r\n"
        return ("Content-Type: multipart/mixed; boundary=\"\(b)\"\r\n", body)
    }

    /// A UTF-8 quoted-printable text part: (its header lines, its encoded body).
    private static func textPart(_ s: String, subtype: String) -> (String, String) {
        ("Content-Type: text/\(subtype); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
         QuotedPrintable.encode(s))
    }

    /// A boundary suffix from the Message-ID (letters and digits only; cannot occur in
    /// quoted-printable or base64 text because boundaries start with `=_`).
    static func boundaryTag(_ id: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325  // FNV-1a
        for b in id.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100000001b3
        }
        return String(h, radix: 36)
    }
}

/// Quoted-printable (RFC 2045 § 6.7) for UTF-8 text.
public enum QuotedPrintable {
    /// `text` encoded: line breaks (LF, CRLF or CR) become CRLF, other bytes outside printable
    /// ASCII and `=` become `=XX`, white space before a line break is encoded, lines are broken
    /// with soft breaks (`=`) to at most 76 characters. Ends with CRLF.
    public static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        var line: [UInt8] = []
        func flushHard() {
            if let last = line.last, last == 0x20 || last == 0x09 {
                line.removeLast()
                line += [0x3D, hex[Int(last >> 4)], hex[Int(last & 15)]]
            }
            out += line
            out += [13, 10]
            line = []
        }
        func append(_ token: [UInt8]) {
            if line.count + token.count > 75 {
                out += line
                out += [0x3D, 13, 10]
                line = []
            }
            line += token
        }
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 13 || b == 10 {
                flushHard()
                if b == 13 && i + 1 < bytes.count && bytes[i + 1] == 10 { i += 1 }
            } else if (b >= 33 && b <= 126 && b != 0x3D) || b == 0x20 || b == 0x09 {
                append([b])
            } else {
                append([0x3D, hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
            i += 1
        }
        if !line.isEmpty { flushHard() }
        return String(decoding: out, as: UTF8.self)
    }
}
