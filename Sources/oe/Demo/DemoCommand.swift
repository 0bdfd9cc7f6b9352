import ArgumentParser
import OrderCore
import OrderEngine

/// `oe demo`: a day of a Danish shop, printed as a report.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run two weeks of a Danish web shop (50 orders) and the merchant's day; print the report.",
        discussion: "Uses an in-memory database unless --db names a file (which must not hold orders yet).")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        do {
            print(try execute())
        } catch {
            printError(error.description)
            throw ExitCode(error.code.rawValue)
        }
    }

    private func execute() throws(OrderError) -> String {
        let today = Timestamp(year: 2026, month: 11, day: 27)
        let clock = ManualClock(today.adding(days: -14))
        let engine = try EngineFactory.open(database, fallback: ":memory:", clock: clock, simulate: true)
        if let count = try engine.call("order.count", [:])["count"]?.intValue, count > 0 {
            throw OrderError(.conflict, "--db \(engine.store.path) already holds \(count) orders; the demo needs an empty database")
        }
        let day = ShopDay(engine: engine, clock: clock, today: today)
        try day.run()
        return try DemoReport(day: day).render()
    }
}
