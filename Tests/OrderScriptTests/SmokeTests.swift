import OrderCore
import OrderEngine
import Testing
@testable import OrderScript

@Suite struct SmokeTests {
    @Test func evalReturnsValues() throws {
        let f = try ScriptFixture()
        #expect(try f.host.eval("return 1 + 2") == 3)
        #expect(try f.host.eval("return {a = 1, b = {1, 2, 3}}") == ["a": 1, "b": [1, 2, 3]])
        #expect(try f.host.eval("return oe.orders.count()") == 0)
    }
}
