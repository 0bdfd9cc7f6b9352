import GRDB
import OrderCore

extension StoreSession {
    // MARK: - Config generation

    /// A counter bumped by every settings or status change, so engines (also in other
    /// processes) know when their cached configuration is stale.
    package func configGeneration() throws -> Int64 {
        try row("SELECT value FROM meta WHERE key = 'config_generation'")?[0] ?? 0
    }

    /// Marks the configuration changed.
    package func bumpConfigGeneration() throws {
        try exec("UPDATE meta SET value = value + 1 WHERE key = 'config_generation'")
    }

    // MARK: - Settings

    /// All stored settings (only those set; defaults live in the engine).
    package func loadSettings() throws -> [String: JSON] {
        var out: [String: JSON] = [:]
        for r in try rows("SELECT key, value FROM settings") { out[r[0]] = JSON.stored(r[1]) }
        return out
    }

    /// Stores one setting (replacing any earlier value).
    package func saveSetting(_ key: String, _ value: JSON) throws {
        try write("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  key, value.compactText)
    }

    // MARK: - Statuses

    /// Custom and changed status definitions, in the order they were first defined.
    package func loadStatusDefinitions() throws -> [StatusDefinition] {
        try rows("SELECT definition FROM statuses ORDER BY position").compactMap { StatusDefinition(stored: JSON.stored($0[0])) }
    }

    /// Stores a status definition (insert or replace, keeping its position).
    package func saveStatusDefinition(_ d: StatusDefinition) throws {
        try write("""
            INSERT INTO statuses (key, position, definition)
            VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM statuses), ?)
            ON CONFLICT (key) DO UPDATE SET definition = excluded.definition
            """, d.key, d.json.compactText)
    }

    // MARK: - Number series

    /// Draws the next number of `series` in this transaction: a rollback returns it, so the
    /// series stays gapless; the write lock makes it unique across threads and processes.
    package func drawNumber(_ series: NumberSeries) throws -> Int64 {
        guard let n: Int64 = try row("UPDATE number_series SET next = next + 1 WHERE series = ? RETURNING next - 1", [series.rawValue])?[0] else {
            throw OrderError(.storage, "number series '\(series.rawValue)' is missing")
        }
        return n
    }

    /// The start and next number of `series`.
    package func numberSeriesState(_ series: NumberSeries) throws -> (start: Int64, next: Int64) {
        guard let r = try row("SELECT start, next FROM number_series WHERE series = ?", [series.rawValue]) else {
            throw OrderError(.storage, "number series '\(series.rawValue)' is missing")
        }
        return (r[0], r[1])
    }

    /// Sets the start of an unused series. Setting the current start again is a no-op; another
    /// value throws `conflict` once a number has been issued, because moving the series then
    /// would leave a gap or repeat numbers.
    package func setNumberSeriesStart(_ series: NumberSeries, _ start: Int64) throws {
        let s = try numberSeriesState(series)
        if s.start == start { return }  // unchanged (settings.get echoed back): nothing to move
        guard s.next == s.start else {
            throw OrderError(.conflict,
                "\(series.startKey): the \(series.rawValue) series has issued \(s.start)–\(s.next - 1); its start can only be set before the first number (gapless numbering)",
                field: series.startKey)
        }
        try write("UPDATE number_series SET start = ?, next = ? WHERE series = ?", start, start, series.rawValue)
    }
}
