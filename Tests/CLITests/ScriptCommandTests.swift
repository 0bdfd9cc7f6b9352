import Foundation
import OrderCore
import Testing

/// `oe run` and `oe test` end to end.
@Suite struct ScriptCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func write(_ text: String, name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oe-cli-lua-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func runPrintsTheScriptsResultWithWorkflowsLoaded() throws {
        let db = try OE.tempDatabase()
        let script = try Self.write("""
            oe.settings.set{seller = {name = "Butik ApS", address = "Vestergade 1, 8000 Aarhus C", vat_number = "DK13585628"}}
            local o = oe.orders.create{customer = {name = "A", email = "a@b.dk"}, lines = {{sku = "X", name = "X", qty = 1, unit_price = 100}}}
            oe.call("payment.authorize", {order = o.order, amount = 100, method = "visa"})
            o:ship()
            o:hand_over()
            return {captured = o:reload().captured}
            """, name: "job.lua")
        let r = try OE.run(["run", script, "--db", db, "--workflow", Self.root + "/scripts/workflows/danish.lua"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try JSONParser.parse(r.stdout) == ["captured": 100], "the Danish workflow captured at hand-over")
    }

    @Test func aFailingScriptExitsWithTheScriptCodeAndALine() throws {
        let script = try Self.write("local x = nil\nreturn x.y\n", name: "bad.lua")
        let r = try OE.run(["run", script, "--db", ":memory:"])
        #expect(r.status == 5)
        #expect(r.stderr.contains("error[script]:"))
        #expect(r.stderr.contains("bad.lua:2:"))
    }

    @Test func theBulkJobExampleRuns() throws {
        let db = try OE.tempDatabase()
        let r = try OE.run(["run", Self.root + "/scripts/examples/cancel_stale_pending.lua", "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try JSONParser.parse(r.stdout)["cancelled"] == 0)
    }

    @Test func testRunsTheShippedWorkflowTests() throws {
        let r = try OE.run(["test", Self.root + "/scripts"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasSuffix(" passed, 0 failed"), "\(last)")
    }

    @Test func testReportsFailuresWithFileLineAndExitsNonZero() throws {
        let file = try Self.write("""
            test("passes", function() expect_eq(1 + 1, 2) end)
            test("fails", function()
              expect_eq(new_order().status, "shipped")
            end)
            """, name: "x_test.lua")
        let r = try OE.run(["test", file])
        #expect(r.status == 1)
        #expect(r.stdout.contains("x_test.lua:3: expected \"shipped\", got \"received\""), "\(r.stdout)")
        #expect(r.stdout.split(separator: "\n").last == "1 passed, 1 failed")
    }
}
