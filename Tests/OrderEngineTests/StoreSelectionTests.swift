import Foundation
import OrderCore
import OrderEngine
import Testing

/// The database argument picks the backend: a PostgreSQL URL is never taken for an SQLite path.
@Suite struct StoreSelectionTests {
    @Test func postgresURLsAreRecognisedAndEverythingElseIsAPath() {
        #expect(StoreOpener.isPostgres("postgresql://oe@127.0.0.1:5432/shop"))
        #expect(StoreOpener.isPostgres("postgres://oe@db/shop?sslmode=require"))
        #expect(!StoreOpener.isPostgres("shop.sqlite"))
        #expect(!StoreOpener.isPostgres(":memory:"))
        #expect(!StoreOpener.isPostgres(nil))
        #expect(!StoreOpener.isPostgres("./postgresql/shop.sqlite"))
    }

    @Test func aPasswordNeverReachesAMessage() {
        #expect(StoreOpener.redacted("postgresql://oe:s3cret@db:5432/shop") == "postgresql://oe@db:5432/shop")
        #expect(StoreOpener.redacted("postgresql://oe@db/shop") == "postgresql://oe@db/shop")
        #expect(StoreOpener.redacted("shop.sqlite") == "shop.sqlite")
    }

    /// An unreachable PostgreSQL server is a `storage` error without the password, and no
    /// SQLite file of that name appears.
    @Test func anUnreachablePostgresIsAStorageErrorAndNoFile() throws {
        let url = "postgresql://oe:s3cret@127.0.0.1:1/shop?connect_timeout=2"
        #expect {
            _ = try Engine(path: url, configuration: .simulated())
        } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .storage && !e.message.contains("s3cret")
        }
        #expect(!FileManager.default.fileExists(atPath: url))
        #expect(!FileManager.default.fileExists(atPath: "postgresql:"))
    }
}
