import OrderCore
import OrderStore
import OrderStorePostgres

/// Chooses and opens the store backend for a database argument: a `postgresql://` or
/// `postgres://` URL (the scheme in any case) opens the PostgreSQL store, anything else is an SQLite path (`nil` or
/// `:memory:` for an in-memory database). Every place that takes a database — `Engine(path:)`,
/// and through it `oe_open` and `--db` — goes through here.
package enum StoreOpener {
    /// Whether `location` names a PostgreSQL database (a libpq connection URL).
    package static func isPostgres(_ location: String?) -> Bool {
        guard let location else { return false }
        return PostgresStore.isURL(location)
    }

    /// Opens the store at `location` with `options`. Throws `storage` when it cannot be opened.
    package static func open(_ location: String?, options: StoreOptions) throws(OrderError) -> any StoreBackend {
        if isPostgres(location), let location { return try openPostgres(location, options: options) }
        return try OrderStore(path: location, options: options)
    }

    /// Opens the PostgreSQL store at `url` (migrated on open). Throws `storage` when the server
    /// cannot be reached.
    private static func openPostgres(_ url: String, options: StoreOptions) throws(OrderError) -> any StoreBackend {
        try PostgresStore(url: url, options: options)
    }

    /// `url` without its password (`postgresql://user:secret@host/db` → `postgresql://user@host/db`),
    /// for messages and `OrderStoreBackend.path`.
    package static func redacted(_ url: String) -> String { PostgresStore.withoutPassword(url) }
}
