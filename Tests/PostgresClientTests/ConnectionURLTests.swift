import PostgresClient
import Testing

/// A connection URL's password never reaches a message, however it is written (issue 16 review).
@Suite struct ConnectionURLTests {
    @Test("passwords with '/', '@' and in password= are hidden whole")
    func redaction() {
        #expect(ConnectionURL.redacted("postgresql://oe:pa/ss@127.0.0.1:5432/shop") == "postgresql://oe:***@127.0.0.1:5432/shop")
        #expect(ConnectionURL.redacted("postgresql://oe:p@ss@h/db?sslmode=disable") == "postgresql://oe:***@h/db?sslmode=disable")
        #expect(ConnectionURL.redacted("postgresql://oe@h/db?password=Sec&sslmode=disable") == "postgresql://oe@h/db?password=***&sslmode=disable")
        #expect(ConnectionURL.redacted("postgresql://oe:pa/ss@h/db?password=x", mask: nil) == "postgresql://oe@h/db")
        // libpq percent-decodes parameter names: `%70assword` is the password too; and a
        // misspelt `PASSWORD` (which libpq refuses) must not be printed either.
        #expect(ConnectionURL.redacted("postgresql://oe@h/db?sslmode=disable&%70assword=Sec1&x=1") == "postgresql://oe@h/db?sslmode=disable&%70assword=***&x=1")
        #expect(ConnectionURL.redacted("postgresql://oe@h/db?PASSWORD=Sec1") == "postgresql://oe@h/db?PASSWORD=***")
        #expect(ConnectionURL.redacted("postgresql://oe@h/db?a=1&%70assword=Sec1", mask: nil) == "postgresql://oe@h/db?a=1")
        #expect(!ConnectionURL.scrub("failed for postgresql://oe@h/db?%70assword=Sec1 (Sec1)", url: "postgresql://oe@h/db?%70assword=Sec1").contains("Sec1"))
    }

    @Test("an unencoded '@' or '/' in the password, or a URL libpq cannot parse, is refused as a value without the password")
    func refusedBeforeLibpq() {
        for url in ["postgresql://oe:pa/ss@127.0.0.1:1/shop", "postgresql://oe:p@ss@127.0.0.1:1/shop",
                    "postgresql://oe:SeCrEt1@[bad/x", "postgresql://oe:SeCrEt1@127.0.0.1:1/x?bogusparam=1"] {
            let e = #expect(throws: PostgresError.self, "\(url)") { try ConnectionURL.check(url) }
            #expect(e?.kind == .value)
            for secret in ["pa/ss", "p@ss", "ss@", "SeCrEt1"] { #expect(e?.message.contains(secret) == false, "\(e?.message ?? "")") }
        }
        #expect(throws: Never.self) { try ConnectionURL.check("postgresql://oe:pa%2Fss@127.0.0.1:1/shop?sslmode=disable") }
    }

    @Test("the scheme is case-insensitive")
    func scheme() {
        #expect(ConnectionURL.isPostgres("POSTGRESQL://oe@h/db") && ConnectionURL.isPostgres("Postgres://h/db"))
        #expect(!ConnectionURL.isPostgres("shop.sqlite"))
        #expect(ConnectionURL.normalized("POSTGRESQL://oe@h/DB") == "postgresql://oe@h/DB")
    }

    @Test("a parameter libpq refuses while connecting is invalid input, a server that is not there is storage")
    func connectTimeRefusals() {
        for url in ["postgresql://oe:SeCrEt1@127.0.0.1:1/x?sslmode=bogus", "postgresql://oe:SeCrEt1@127.0.0.1:99999/x",
                    "postgresql://oe:SeCrEt1@127.0.0.1:1/x?target_session_attrs=nope",
                    "postgresql://oe:SeCrEt1@127.0.0.1:1/x?connect_timeout=soon"] {
            let e = #expect(throws: PostgresError.self, "\(url)") { try PostgresConnection(url: url) }
            #expect(e?.kind == .value && e?.code == .invalid, "\(url): \(e?.description ?? "")")
            #expect(e?.message.contains("SeCrEt1") == false)
        }
        let down = #expect(throws: PostgresError.self) { try PostgresConnection(url: "postgresql://oe@127.0.0.1:1/x?connect_timeout=2") }
        #expect(down?.kind == .connectionFailed && down?.code == .storage)
    }
}
