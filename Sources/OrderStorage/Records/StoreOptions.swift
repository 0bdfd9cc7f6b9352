import OrderCore

/// How hard the store works to keep a committed command on disk (SQLite: `synchronous`;
/// PostgreSQL: `synchronous_commit`).
public enum Durability: String, Sendable, CaseIterable {
    /// `synchronous=FULL` (PostgreSQL: `synchronous_commit = on` per transaction): a committed
    /// command survives an application crash, a database server crash and a power loss.
    case full
    /// `synchronous=NORMAL` (WAL; PostgreSQL: `synchronous_commit = off`): survives an application crash; a power loss may lose the
    /// last commits (never corrupts the database).
    case normal
}

/// Options for opening a store.
public struct StoreOptions: Sendable {
    /// Durability of commits; `.full` by default.
    public var durability: Durability = .full
    /// How long a writer waits for another process's write lock before `storage` error.
    public var busyTimeoutSeconds: Double = 30

    public init(durability: Durability = .full, busyTimeoutSeconds: Double = 30) {
        self.durability = durability
        self.busyTimeoutSeconds = busyTimeoutSeconds
    }
}
