/// Limits that stop runaway workflow scripts. Exceeding one is a clear error (`script` for the
/// instruction budget, `nomem` for memory); the command is rolled back and the engine goes on.
public struct ScriptLimits: Sendable, Equatable {
    /// Lua instructions one command may spend in its guards and hooks together (also the
    /// budget of one top-level `eval`); 0 = unlimited. Counted in steps of 1,000.
    public var instructions: Int64
    /// Bytes the Lua state may hold; 0 = unlimited.
    public var memoryBytes: Int

    /// 50 million instructions (about a second of busy Lua) and 64 MiB.
    public init(instructions: Int64 = 50_000_000, memoryBytes: Int = 64 << 20) {
        self.instructions = instructions
        self.memoryBytes = memoryBytes
    }
}
