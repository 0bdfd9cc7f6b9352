import OrderCore
import Testing

/// `oe repl` with stdin not a terminal: no prompt, no colour, every chunk runs, and the exit
/// status tells whether any failed (`--bail` stops at the first).
@Suite struct ReplPipeTests {
    static let script = """
        oe.orders.create{customer = {name = "Ida", email = "ida@example.dk"}, lines = {{sku = "A", name = "Kaffe", qty = 2, unit_price = 17900}}}.total
        function double(x)
          return 2 * x
        end
        double(_)
        .mode json
        oe.orders.get(1).customer
        .orders
        """

    @Test func chunksRunAndPrintPlainly() throws {
        let r = try OE.run(["repl", "--db", ":memory:"], stdin: Self.script)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "35800")
        #expect(lines.contains("71600"), "`_` holds the last value and multi-line chunks work")
        #expect(lines.contains("  \"name\": \"Ida\""), "json mode indents: \(r.stdout)")
        #expect(r.stdout.contains("| order |"), ".orders prints a plain table")
        #expect(!r.stdout.contains("oe> "), "no prompt in a pipe")
        #expect(!r.stdout.contains("\u{1B}["), "no colour in a pipe")
        #expect(r.stderr.contains("warning: the database is in memory"))
    }

    @Test func tablesAreLaidOutByStructureWithinTheWidth() throws {
        let chunk = #"{name = "Mette Jensen", email = "mette@example.dk", address = {street = "Vestergade 1", city = "Aarhus C"}}"#
        let wide = try OE.run(["repl", "--db", ":memory:"], stdin: chunk + "\n", environment: ["COLUMNS": "200"])
        #expect(wide.stdout.split(separator: "\n").count == 1, "fits on one line: \(wide.stdout)")
        let narrow = try OE.run(["repl", "--db", ":memory:"], stdin: chunk + "\n", environment: ["COLUMNS": "60"])
        let lines = narrow.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        #expect(lines == [
            "{",
            #"  address = {city = "Aarhus C", street = "Vestergade 1"},"#,
            #"  email = "mette@example.dk","#,
            #"  name = "Mette Jensen""#,
            "}",
        ], "one entry a line, the nested table kept whole where it fits: \(narrow.stdout)")
        #expect(lines.allSatisfy { $0.count <= 60 })
        let narrower = try OE.run(["repl", "--db", ":memory:"], stdin: chunk + "\n", environment: ["COLUMNS": "40"])
        #expect(narrower.stdout.contains("  address = {\n    city = \"Aarhus C\",\n"), "the nested table breaks too: \(narrower.stdout)")
    }

    @Test func aFailingChunkMakesTheExitStatusNonZero() throws {
        let r = try OE.run(["repl", "--db", ":memory:"], stdin: "1 + 1\noe.call('order.get', {order = 5})\n2 + 2\n")
        #expect(r.status == 1)
        #expect(r.stdout.split(separator: "\n") == ["2", "4"], "the session went on after the failure")
        #expect(r.stderr.contains("error[not_found]: order 5 does not exist"))
        #expect(!r.stderr.contains("stack traceback"), "a refused command prints its message only")
    }

    @Test func bailStopsAtTheFirstFailure() throws {
        let r = try OE.run(["repl", "--db", ":memory:", "--bail"], stdin: "1 + 1\nerror('stop here')\n2 + 2\n")
        #expect(r.status == 1)
        #expect(r.stdout.split(separator: "\n") == ["2"])
        #expect(r.stderr.contains("stdin:1: stop here"))
    }

    @Test func anIncompleteChunkAtTheEndFails() throws {
        let r = try OE.run(["repl", "--db", ":memory:"], stdin: "function f()\n  return 1\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("incomplete chunk"))
    }
}
