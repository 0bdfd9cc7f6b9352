import Crypto
import OrderCore

/// Signs messages with DKIM (RFC 6376), canonicalization relaxed/relaxed, SHA-256, with an RSA
/// or Ed25519 key (RFC 8463). Thread-safe (immutable).
public struct DKIMSigner: Sendable {
    public let domain: String
    public let selector: String
    public let key: DKIMKey
    /// Headers signed when present, in this order (`from` always). Listing `from` twice would
    /// also protect against an added From; the message has one, and receivers check that.
    public static let signedHeaders = ["from", "to", "reply-to", "subject", "date", "message-id", "mime-version", "content-type",
                                       "auto-submitted"]

    public init(domain: String, selector: String, key: DKIMKey) {
        self.domain = domain
        self.selector = selector
        self.key = key
    }

    /// `message` with a `DKIM-Signature` header prepended; `time` is the signature's `t=`.
    public func sign(_ message: [UInt8], time: Timestamp) throws -> [UInt8] {
        let (headers, body) = DKIMCanonical.split(message)
        let bodyHash = Base64.encode(Array(SHA256.hash(data: DKIMCanonical.body(body))))
        // Headers to sign, bottom-up per name (RFC 6376 § 5.4.2); each name once.
        var names: [String] = []
        var input: [UInt8] = []
        for n in DKIMSigner.signedHeaders {
            guard let field = headers.last(where: { DKIMCanonical.name($0) == n }) else { continue }
            names.append(n)
            input += DKIMCanonical.header(field) + [13, 10]
        }
        let tags = "v=1; a=\(key.algorithm); c=relaxed/relaxed; d=\(domain); s=\(selector); t=\(time.seconds); h=\(names.joined(separator: ":")); bh=\(bodyHash); b="
        input += DKIMCanonical.header(Array("DKIM-Signature: \(tags)".utf8))
        let signature = Base64.encode(try key.sign(input))
        // Fold the header so that no line is longer than 78 characters.
        let folded = tags.replacingAll("; h=", ";\r\n\th=").replacingAll("; bh=", ";\r\n\tbh=").replacingAll("; b=", ";\r\n\tb=")
        let header = "DKIM-Signature: " + folded + DKIMSigner.fold(signature)
        return Array(header.utf8) + [13, 10] + message
    }

    /// The `b=` value folded into lines of 70 characters (white space inside `b=` is ignored by verifiers).
    static func fold(_ s: String) -> String {
        var out = "", line = 2
        for ch in s {
            if line == 70 {
                out += "\r\n\t "
                line = 0
            }
            out.append(ch)
            line += 1
        }
        return out
    }
}
