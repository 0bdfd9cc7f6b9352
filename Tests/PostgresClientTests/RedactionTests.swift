@testable import PostgresClient
import Testing

/// Pieces that need no server: URL redaction and bytea decoding.
@Suite struct OfflineTests {
    @Test func passwordsNeverReachMessages() {
        #expect(PostgresConnection.redact("postgresql://oe:s3cret@db.example.dk:5432/shop?sslmode=require")
            == "postgresql://oe:***@db.example.dk:5432/shop?sslmode=require")
        #expect(PostgresConnection.redact("postgresql://oe@h/db?password=s3cret&sslmode=verify-full")
            == "postgresql://oe@h/db?password=***&sslmode=verify-full")
        #expect(PostgresConnection.redact("postgresql://h:5432/db") == "postgresql://h:5432/db")
        #expect(PostgresConnection.redact("postgresql://a:p@ss@h/db") == "postgresql://a:***@h/db")
    }

    @Test func byteaHexDecoding() {
        #expect(PostgresRow.decodeBytea("\\x00ff10Ab") == [0, 255, 16, 171])
        #expect(PostgresRow.decodeBytea("\\x") == [])
        #expect(PostgresRow.decodeBytea("\\x0") == nil)
        #expect(PostgresRow.decodeBytea("abc") == nil)
    }
}
