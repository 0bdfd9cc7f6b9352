import Foundation
import OrderCore
import OrderEngine
import Testing
@testable import OrderScript

/// Several threads use one engine with workflow hooks, while scripts run: nothing deadlocks
/// and nothing is lost.
@Suite struct ThreadTests {
    @Test func threadsAndScriptsShareTheLuaState() throws {
        let dir = try TempDir()
        var config = EngineConfiguration()
        config.scriptHost = LuaHost.factory()
        let engine = try Engine(path: TestDatabase.location(dir.path + "/shop.sqlite"), configuration: config)
        let host = try #require(engine.luaHost)
        try host.eval("oe.on('order.created', function(ev) oe.call('order.tag', {order = ev.order.order, add = {'hooked'}}) end)")
        let threads = 4, perThread = 15
        let group = DispatchGroup()
        let failures = LockedCounter()
        for t in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for _ in 0..<perThread {
                    do {
                        if t == 0 {
                            // A script calling commands, whose hooks run meanwhile on other threads too.
                            try host.eval("oe.orders.create{customer = {name = 'S', email = 's@b.dk'}, lines = {{sku = 'X', name = 'X', qty = 1, unit_price = 100}}}")
                        } else {
                            _ = try engine.call("order.create", ["customer": ["name": "T", "email": "t@b.dk"],
                                                                  "lines": [["sku": "X", "name": "X", "qty": 1, "unit_price": 100]]])
                        }
                    } catch {
                        failures.add("\(error)")
                    }
                }
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success, "deadlock")
        #expect(failures.messages.isEmpty, "\(failures.messages)")
        #expect(try engine.call("order.count")["count"] == .int(Int64(threads * perThread)))
        #expect(try engine.call("order.count", ["tag": "hooked"])["count"] == .int(Int64(threads * perThread)))
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
