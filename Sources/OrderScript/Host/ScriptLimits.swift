/// Limits that stop runaway workflow scripts. Exceeding one is a clear error (`script` for the
/// instruction budget and the deadline, `nomem` for memory); the command is rolled back and the
/// engine goes on.
///
/// The budget and the deadline cover everything a piece of Lua causes: VM instructions (the
/// count hook) and the work of every C function the sandbox exposes (patterns, `string.rep`,
/// `table.*`, `load`, encoding values for the engine), which charge the budget as they go and
/// check the clock. A script's budget and deadline also bound the guards and hooks of the
/// commands it calls.
public struct ScriptLimits: Sendable, Equatable {
    /// Lua instructions one command may spend in its guards and hooks together; 0 = unlimited.
    /// Counted in steps of 1,000. Each command of a batch (`Engine.transaction`, each order's
    /// command in a mass update) counts on its own; the commands its hooks call count with it.
    public var instructions: Int64
    /// Lua instructions one top-level evaluation (a script, a REPL line) may spend, including
    /// the guards and hooks of the commands it calls; 0 = unlimited (`oe run` uses unlimited
    /// unless `--budget` is given).
    public var scriptInstructions: Int64
    /// Bytes the Lua state may hold; 0 = unlimited.
    public var memoryBytes: Int
    /// Wall-clock seconds one command's guards and hooks may run, from the first of them;
    /// 0 = none. Checked by the count hook, by every bounded C function and by the allocator.
    /// Per command, as ``instructions``: a batch of 1,000 orders in one transaction gives each
    /// command its own deadline, however long the whole batch takes.
    public var maxSeconds: Double
    /// Wall-clock seconds one top-level evaluation may take, including the commands it calls;
    /// 0 = none (`oe run` uses none unless `--timeout` is given).
    public var scriptMaxSeconds: Double
    /// Bytes of `oe.log`/`print` output one command or evaluation may write; what is beyond is
    /// dropped and one line says how much. 0 = no cap.
    public var logBytes: Int

    /// 50 million instructions per command and per evaluation (about a second of busy Lua),
    /// 64 MiB, 5 seconds per command and per evaluation, 1 MiB of log output.
    public init(instructions: Int64 = 50_000_000, scriptInstructions: Int64 = 50_000_000, memoryBytes: Int = 64 << 20,
                maxSeconds: Double = 5, scriptMaxSeconds: Double = 5, logBytes: Int = 1 << 20) {
        self.instructions = instructions
        self.scriptInstructions = scriptInstructions
        self.memoryBytes = memoryBytes
        self.maxSeconds = maxSeconds
        self.scriptMaxSeconds = scriptMaxSeconds
        self.logBytes = logBytes
    }

    /// Milliseconds for the bridge (0 = none); negative or NaN counts as none.
    static func milliseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return max(1, Int64(min(seconds * 1000, 1e12).rounded())) // at most ~31 years
    }
}
