import OrderCore
import OrderStore

/// `orders.mass_update` ("masseopdatering"): one action over every order a filter selects.
///
/// Each order is all-or-nothing (its own savepoint: its hooks, its outbox rows, its numbers);
/// one order's failure never stops the rest; orders are committed in batches (group commit:
/// one fsync per batch, not per order). Gateway captures run after their batch commits and
/// their outcomes are recorded together in one more transaction; each is that order's result.
///
/// When a batch's transaction fails with `conflict` (on PostgreSQL another command held one of
/// its orders beyond `lock_timeout`), the batch is run again order by order, so only the
/// orders that are still busy fail (with `conflict`). When a batch's transaction fails
/// otherwise (the database connection is lost, the write lock is not granted in time), the
/// batches committed before it stay committed and are reported as they are; that batch's
/// orders not yet kept are `failed` with the error; the orders after it are
/// `not_attempted` (unchanged, listed by number); and `stopped` carries the error. The run stops
/// there, so a shop can run the same mass update again once the database is back (a capture
/// already made is then skipped).
public struct MassUpdateReport: Sendable {
    /// Orders the filter selected (at most `limit`).
    public var selected = 0
    /// Orders the action changed.
    public var ok = 0
    /// Orders the action did not apply to (already in that status, nothing to capture, …).
    public var skipped = 0
    /// Orders the action failed for; nothing of the action was kept for them.
    public var failed = 0
    /// Orders not reached because the run stopped at a failed batch (none when it did not).
    public var notAttempted: [Int64] = []
    /// Why the run stopped early, when it did.
    public var stopped: OrderError?
    /// One entry per order: all of them, or only the failures when `report` is `failures`.
    public var results: [JSON] = []

    /// The report as `orders.mass_update` returns it. `stopped` and `not_attempted` appear only
    /// when the run stopped at a failed batch.
    public var json: JSON {
        var o: JSONObject = ["selected": .int(Int64(selected)), "ok": .int(Int64(ok)), "skipped": .int(Int64(skipped)),
                             "failed": .int(Int64(failed)), "results": .array(results)]
        if let stopped {
            o["stopped"] = ErrorJSON.inResult(stopped)
            o["not_attempted"] = .array(notAttempted.map { .int($0) })
        }
        return .object(o)
    }
}

extension Engine {
    /// Runs a mass update. `params`: `{"filter": {…as order.find…}, "action": {…}, "batch_size"?: 1…1000
    /// (default 500), "limit"?: N, "report"?: "all" | "failures"}`. `progress(done, total)` is
    /// called after every batch. Throws only for bad parameters or a failure before the first
    /// batch (selecting the orders); per-order failures, and a batch whose transaction failed,
    /// are in the report (see ``MassUpdateReport``).
    public func massUpdate(_ params: JSON, actor: String? = nil,
                           progress: ((Int, Int) -> Void)? = nil) throws(OrderError) -> JSON {
        do {
            return try massUpdateUntyped(params, actor: actor ?? configuration.defaultActor, progress: progress).json
        } catch let e as OrderError {
            throw e
        } catch {
            throw OrderError(.storage, "orders.mass_update: \(error)")
        }
    }

    func massUpdateUntyped(_ params: JSON, actor: String, progress: ((Int, Int) -> Void)?) throws -> MassUpdateReport {
        if isClosed { throw OrderError(.misuse, "the engine is closed") }
        let p = try ParamReader(params)
        guard let filterReader = try p.object("filter") else { throw OrderError.invalid("filter", "is required (use {} for every order)") }
        guard let actionJSON = p.raw("action") else { throw OrderError.invalid("action", "is required") }
        let action = try MassUpdateAction(actionJSON)
        let batchSize = Int(try p.int("batch_size", in: 1...1000) ?? 500)
        let limit = try p.int("limit", in: 1...10_000_000)
        let reportAll = (try p.choice("report", ["all", "failures"]) ?? "all") == "all"
        try p.finish()

        // Select first, then update: orders the update moves out of the filter
        // are neither skipped nor visited twice.
        let numbers: [Int64] = try storage.read { s in
            let ctx = try context(s, actor: actor, isWrite: false)
            let filter = try QueryCommands.filter(filterReader, statuses: ctx.statuses, zone: ctx.settings.timeZone)
            try filterReader.finish()
            return try s.findOrderNumbers(filter, now: ctx.now, limit: limit)
        }
        var report = MassUpdateReport()
        report.selected = numbers.count
        var done = 0
        for batch in stride(from: 0, to: numbers.count, by: batchSize).map({ Array(numbers[$0..<min($0 + batchSize, numbers.count)]) }) {
            var outcomes: [BatchOutcome] = []
            /// When the run stops: the index in `batch` of the first order not kept, and why.
            var stop: (at: Int, error: OrderError)?
            do {
                outcomes = try applyBatch(batch, action: action, actor: actor)
            } catch let e as OrderError where e.code == .conflict && batch.count > 1 {
                // Another command held one of the batch's orders (PostgreSQL's lock_timeout) or
                // the batch kept colliding: go order by order, so only that order fails.
                for (i, n) in batch.enumerated() {
                    do {
                        outcomes += try applyBatch([n], action: action, actor: actor)
                    } catch let e as OrderError where e.code == .conflict {
                        outcomes.append((n, .failure(e), []))
                    } catch {
                        stop = (i, (error as? OrderError) ?? OrderError(.storage, "orders.mass_update: \(error)"))
                        break
                    }
                }
            } catch {
                stop = (0, (error as? OrderError) ?? OrderError(.storage, "orders.mass_update: \(error)"))
            }
            // The batch's gateway effects: asked one by one, recorded together in one transaction.
            let allEffects = outcomes.flatMap { $0.2 }
            var effectOutcomes: [Int64: EffectRunner.Outcome] = [:]
            for (q, o) in EffectRunner(engine: self).runAll(allEffects, actor: actor) { effectOutcomes[q.record.id] = o }
            for (n, outcome, effects) in outcomes {
                var entry: JSONObject = ["order": .int(n)]
                switch outcome {
                case .failure(let e):
                    entry["ok"] = false
                    entry["error"] = ErrorJSON.inResult(e)
                    report.failed += 1
                case .success(let (result, skipped)):
                    var error: OrderError?
                    var last = result ?? .null
                    for q in effects {
                        guard let o = effectOutcomes[q.record.id] else { continue }
                        if let e = o.error { error = e } else { last = o.result }
                    }
                    if let error {
                        entry["ok"] = false
                        entry["error"] = ErrorJSON.inResult(error)
                        report.failed += 1
                    } else if let skipped {
                        entry["ok"] = true
                        entry["skipped"] = .string(skipped)
                        report.skipped += 1
                    } else {
                        entry["ok"] = true
                        entry["result"] = last
                        report.ok += 1
                    }
                }
                if reportAll || entry["ok"] == false { report.results.append(.object(entry)) }
            }
            if let (stoppedAt, e) = stop {
                // The transaction failed as a whole: nothing of it was kept (a commit whose
                // outcome is unknown says so in the message; reconcile settles effects).
                report.stopped = e
                for n in batch[stoppedAt...] {
                    report.failed += 1
                    report.results.append(["order": .int(n), "ok": false, "error": ErrorJSON.inResult(e)])
                }
                report.notAttempted = Array(numbers[(done + batch.count)...])
                return report
            }
            done += batch.count
            progress?(done, numbers.count)
        }
        return report
    }

    /// One order's outcome in its batch: the action's result (or why it was skipped), or its
    /// error; and the gateway effects it queued, run after the batch commits.
    typealias BatchOutcome = (order: Int64, result: Result<(JSON?, String?), OrderError>, effects: [QueuedEffect])

    /// Applies `action` to each order of `batch` in one write transaction, each in its own
    /// savepoint. Throws when the transaction itself fails (nothing of the batch was kept).
    private func applyBatch(_ batch: [Int64], action: MassUpdateAction, actor: String) throws -> [BatchOutcome] {
        try storage.write { s in
            var outcomes: [BatchOutcome] = []  // a store that retries the transaction runs this body again
            let ctx = try context(s, actor: actor, isWrite: true)
            ctx.command = "orders.mass_update"
            try ctx.preload(batch)
            for n in batch {
                let effectMark = ctx.effects.count
                do {
                    let r = try ctx.inSavepoint { try action.apply(to: n, ctx) }
                    outcomes.append((n, .success(r), Array(ctx.effects[effectMark...])))
                } catch {
                    outcomes.append((n, .failure((error as? OrderError) ?? OrderError(.storage, "\(error)")), []))
                }
            }
            return outcomes
        }
    }
}

/// Registers `orders.mass_update`.
enum MassUpdateCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("orders.mass_update", "apply one action to every order a filter selects; per-order report; batched commits") {
            engine, params, actor in try engine.massUpdateUntyped(params, actor: actor, progress: nil).json
        })
    }
}
