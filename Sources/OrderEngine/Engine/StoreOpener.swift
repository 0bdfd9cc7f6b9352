import OrderCore
import OrderStore

/// Chooses and opens the store backend for a database argument: a `postgresql://` or
/// `postgres://` URL opens the PostgreSQL store, anything else is an SQLite path (`nil` or
/// `:memory:` for an in-memory database). Every place that takes a database — `Engine(path:)`,
/// and through it `oe_open` and `--db` — goes through here.
package enum StoreOpener {
    /// Whether `location` names a PostgreSQL database (a libpq connection URL).
    package static func isPostgres(_ location: String?) -> Bool {
        guard let location else { return false }
        return location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    /// Opens the store at `location` with `options`. Throws `storage` when it cannot be opened.
    package static func open(_ location: String?, options: StoreOptions) throws(OrderError) -> any StoreBackend {
        if isPostgres(location), let location { return try openPostgres(location, options: options) }
        return try OrderStore(path: location, options: options)
    }

    // PG-BACKEND: the PostgreSQL store's factory point (issue 16, branch issue-16bn fills it in
    // with `OrderStorePostgres`). Until then a PostgreSQL URL is refused with `storage`.
    private static func openPostgres(_ url: String, options: StoreOptions) throws(OrderError) -> any StoreBackend {
        throw OrderError(.storage, "PostgreSQL support not built: cannot open \(redacted(url))")
    }

    /// `url` without its password (`postgresql://user:secret@host/db` → `postgresql://user@host/db`),
    /// for messages and `OrderStoreBackend.path`.
    package static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + String(url[at...])
    }
}
