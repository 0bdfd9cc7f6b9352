import OrderCore
import OrderStore

/// `orders.mass_update` ("masseopdatering"): one action over every order a filter selects.
///
/// Each order is all-or-nothing (its own savepoint: its hooks, its outbox rows, its numbers);
/// one order's failure never stops the rest; orders are committed in batches (group commit:
/// one fsync per batch, not per order). Gateway captures run after their batch commits and
/// their outcomes are recorded together in one more transaction; each is that order's result.
public struct MassUpdateReport: Sendable {
    public var selected = 0
    public var ok = 0
    public var skipped = 0
    public var failed = 0
    public var results: [JSON] = []

    public var json: JSON {
        ["selected": .int(Int64(selected)), "ok": .int(Int64(ok)), "skipped": .int(Int64(skipped)),
         "failed": .int(Int64(failed)), "results": .array(results)]
    }
}

extension Engine {
    /// Runs a mass update. `params`: `{"filter": {…as order.find…}, "action": {…}, "batch_size"?: 1…1000
    /// (default 500), "limit"?: N, "report"?: "all" | "failures"}`. `progress(done, total)` is
    /// called after every batch. Throws only for bad parameters or a storage failure; per-order
    /// failures are in the report.
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
            var outcomes: [(Int64, Result<(JSON?, String?), OrderError>, [QueuedEffect])] = []
            try storage.write { s in
                outcomes = []  // a store that retries the transaction runs this body again
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
                    entry["error"] = ["code": .string(e.code.name), "message": .string(e.message)]
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
                        entry["error"] = ["code": .string(error.code.name), "message": .string(error.message)]
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
            done += batch.count
            progress?(done, numbers.count)
        }
        return report
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
