import Crypto
import _CryptoExtras
import OrderCore

/// A DKIM signing key: RSA (2048 bits, `rsa-sha256`) or Ed25519 (`ed25519-sha256`, RFC 8463),
/// read from and written to PEM files (PKCS#8 `PRIVATE KEY`; RSA also PKCS#1).
public enum DKIMKey: Sendable {
    case rsa(_RSA.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    /// The algorithm tag: `rsa-sha256` or `ed25519-sha256`.
    public var algorithm: String {
        switch self {
        case .rsa: "rsa-sha256"
        case .ed25519: "ed25519-sha256"
        }
    }

    /// A new key for `algorithm` (`rsa-sha256`: 2048 bits).
    public static func generate(_ algorithm: String) throws -> DKIMKey {
        switch algorithm {
        case "rsa-sha256": return .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        case "ed25519-sha256": return .ed25519(Curve25519.Signing.PrivateKey())
        default: throw DKIMError("unknown DKIM algorithm '\(algorithm)'; use rsa-sha256 or ed25519-sha256")
        }
    }

    /// The PEM text of the private key.
    public var pem: String {
        switch self {
        case .rsa(let k): return k.pemRepresentation + (k.pemRepresentation.hasSuffix("\n") ? "" : "\n")
        case .ed25519(let k):
            let der = DKIMKey.ed25519PKCS8Prefix + Array(k.rawRepresentation)
            return "-----BEGIN PRIVATE KEY-----\n" + Base64.encode(der, lineLength: 64).replacingAll("\r\n", "\n") + "\n-----END PRIVATE KEY-----\n"
        }
    }

    /// Reads a PEM private key; the algorithm is the key's own. Throws `DKIMError` naming what
    /// is wrong (not PEM, not a key, an unsupported key, RSA shorter than 1024 bits).
    public init(pem text: String) throws {
        guard let begin = text.firstRange(of: "-----BEGIN "), text.contains("-----END ") else {
            throw DKIMError("not a PEM private key (no -----BEGIN line)")
        }
        let label = text[begin.upperBound...].prefix { $0 != "-" }
        if label == "PRIVATE KEY" {
            let body = text[begin.upperBound...].drop { $0 != "\n" }.prefix { $0 != "-" }
            guard let der = Base64.decode(String(body)) else { throw DKIMError("the PEM body is not base64") }
            if der.count == 48 && Array(der.prefix(16)) == DKIMKey.ed25519PKCS8Prefix {
                self = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)))
                return
            }
        }
        guard label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" else {
            throw DKIMError("unsupported PEM block '\(label)'; expected PRIVATE KEY or RSA PRIVATE KEY")
        }
        let key: _RSA.Signing.PrivateKey
        do { key = try _RSA.Signing.PrivateKey(unsafePEMRepresentation: text) } catch {
            throw DKIMError("not a readable RSA or Ed25519 private key (\(error))")
        }
        guard key.keySizeInBits >= 1024 else { throw DKIMError("the RSA key has \(key.keySizeInBits) bits; DKIM needs at least 1024 (2048 advised)") }
        self = .rsa(key)
    }

    /// The `p=` value of the DNS record: base64 of the SubjectPublicKeyInfo (RSA) or of the raw
    /// 32-byte public key (Ed25519, RFC 8463).
    public var publicKeyBase64: String {
        switch self {
        case .rsa(let k): Base64.encode(Array(k.publicKey.derRepresentation))
        case .ed25519(let k): Base64.encode(Array(k.publicKey.rawRepresentation))
        }
    }

    /// The TXT record value: `v=DKIM1; k=rsa|ed25519; p=…`.
    public var dnsRecord: String {
        switch self {
        case .rsa: "v=DKIM1; k=rsa; p=\(publicKeyBase64)"
        case .ed25519: "v=DKIM1; k=ed25519; p=\(publicKeyBase64)"
        }
    }

    /// Signs `data` (the canonical headers): RSASSA-PKCS1-v1_5 over SHA-256, or Ed25519 over
    /// the SHA-256 digest of `data` (RFC 8463 § 3).
    func sign(_ data: [UInt8]) throws -> [UInt8] {
        switch self {
        case .rsa(let k):
            return Array(try k.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation)
        case .ed25519(let k):
            return Array(try k.signature(for: Array(SHA256.hash(data: data))))
        }
    }

    /// PKCS#8 for Ed25519 (RFC 8410): SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }.
    static let ed25519PKCS8Prefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
}

/// A DKIM key or signing failure.
public struct DKIMError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
