import OrderCore
import Testing

/// Gapless numbering across separate processes writing one database file at the same time.
@Suite struct ProcessNumberingTests {
    @Test func concurrentProcessesDrawUniqueGaplessNumbers() throws {
        let db = try OE.tempDatabase()
        // Create the file and set a start value first.
        #expect(try OE.run(["call", "settings.set", #"{"order_number_start":500}"#, "--db", db]).status == 0)
        let processes = 4, perProcess = 8
        var numbers: [Int64] = []
        for _ in 0..<perProcess {
            let started = try (0..<processes).map { _ in try OE.start(["call", "order.create", OE.orderParams, "--db", db, "--compact"]) }
            for s in started {
                let r = OE.wait(s)
                #expect(r.status == 0, "\(r.stderr)")
                if let n = try JSONParser.parse(r.stdout)["order"]?.intValue { numbers.append(n) }
            }
        }
        #expect(numbers.count == processes * perProcess)
        #expect(numbers.sorted() == Array(500..<Int64(500 + processes * perProcess)))
    }
}
