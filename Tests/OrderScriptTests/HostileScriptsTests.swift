import Foundation
import OrderCore
import OrderEngine
import Testing
@testable import OrderScript

/// The hostile-script corpus (Tests/OrderScriptTests/Hostile/*.lua): each script tries to escape
/// or exhaust the sandbox. Each must end in a clear error (its first line says which:
/// `-- expect: a|b` for message fragments, or "(any …)" when a harmless result is fine too),
/// and the engine must work normally afterwards.
@Suite struct HostileScriptsTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Hostile")

    static var scripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".lua") }.sorted()
    }

    @Test func theCorpusHasAtLeastFortyScripts() {
        #expect(Self.scripts.count >= 40)
    }

    @Test(arguments: scripts)
    func refusedClearlyAndTheEngineGoesOn(file: String) throws {
        let source = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        let header = source.split(separator: "\n").first.map(String.init) ?? ""
        let expected = header.hasPrefix("-- expect: ") ? String(header.dropFirst("-- expect: ".count)) : ""
        let f = try ScriptFixture(limits: ScriptLimits(instructions: 5_000_000, scriptInstructions: 5_000_000, memoryBytes: 32 << 20))
        var failure: OrderError?
        do { try f.host.eval(source, chunkname: "@" + file) } catch { failure = error }
        if !expected.hasPrefix("(any") {
            let e = try #require(failure, "\(file) ran without an error")
            let fragments = expected.split(separator: "|").map(String.init)
            #expect(fragments.contains { e.message.contains($0) }, "\(file): \(e.message)")
            #expect(!e.message.isEmpty)
        }
        // The engine and the Lua state work normally afterwards (hooks a script registered stay
        // registered, as loaded workflows do, so check with commands they do not guard).
        let n = try f.engine.call("status.define", ["key": "efter", "labels": ["da": "Efter", "en": "After"]])
        #expect(n["key"] == "efter")
        #expect(try f.engine.call("settings.get")["capture_policy"] == "on_hand_over")
        #expect(try f.host.eval("return 20 + 22") == 42)
    }
}
