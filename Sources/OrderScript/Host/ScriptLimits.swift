/// Limits that stop runaway workflow scripts. Exceeding one is a clear error (`script` for the
/// instruction budget, `nomem` for memory); the command is rolled back and the engine goes on.
public struct ScriptLimits: Sendable, Equatable {
    /// Lua instructions one command may spend in its guards and hooks together; 0 = unlimited.
    /// Counted in steps of 1,000.
    public var instructions: Int64
    /// Lua instructions one top-level evaluation (a script, a REPL line) may spend outside the
    /// commands it calls; 0 = unlimited (`oe run` uses unlimited unless `--budget` is given).
    public var scriptInstructions: Int64
    /// Bytes the Lua state may hold; 0 = unlimited.
    public var memoryBytes: Int

    /// 50 million instructions per command and per evaluation (about a second of busy Lua), 64 MiB.
    public init(instructions: Int64 = 50_000_000, scriptInstructions: Int64 = 50_000_000, memoryBytes: Int = 64 << 20) {
        self.instructions = instructions
        self.scriptInstructions = scriptInstructions
        self.memoryBytes = memoryBytes
    }
}
