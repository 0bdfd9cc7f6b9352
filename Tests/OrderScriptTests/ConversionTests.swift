import OrderCore
import OrderEngine
import Testing
@testable import OrderScript

/// Values cross between JSON-shaped data and Lua tables exactly.
@Suite struct ConversionTests {
    @Test func scalarsKeepTheirKind() throws {
        let f = try ScriptFixture()
        #expect(try f.host.eval("return 9007199254740993") == .int(9_007_199_254_740_993))
        #expect(try f.host.eval("return math.maxinteger") == .int(Int64.max))
        #expect(try f.host.eval("return 1.5") == .double(1.5))
        #expect(try f.host.eval("return 10 / 2") == .int(5), "an integral float crosses as an integer")
        #expect(try f.host.eval("return true") == .bool(true))
        #expect(try f.host.eval("return 'æøå €'") == .string("æøå €"))
        #expect(try f.host.eval("return nil") == .null)
        #expect(try f.host.eval("return oe.null") == .null)
    }

    @Test func tablesBecomeArraysOrObjects() throws {
        let f = try ScriptFixture()
        #expect(try f.host.eval("return {1, 2, {3, 4}}") == [1, 2, [3, 4]])
        #expect(try f.host.eval("return {a = 1, b = {c = 'd'}}") == ["a": 1, "b": ["c": "d"]])
        #expect(try f.host.eval("return {}") == .object(JSONObject()))
    }

    @Test func valuesFromTheEngineArriveAsLuaTables() throws {
        let f = try ScriptFixture()
        let r = try f.host.eval("""
            local o = new_order()
            return { kind = math.type(o.total), n = #o.lines, first = o.lines[1].sku, null_is_absent = o.authorization_expires_at ~= nil,
                     notify = o.notify, is_null = (oe.null == oe.null) }
            """)
        #expect(r["kind"] == "integer")
        #expect(r["n"] == 2)
        #expect(r["first"] == "KAF")
        #expect(r["notify"] == true)
    }

    @Test(arguments: [
        ("return print", "cannot pass a function"),
        ("return {[true] = 1}", "boolean key"),
        ("local t = {} ; t.self = t ; return t", "nested deeper"),
        ("return {1, 2, x = 3}", "number key"),
        ("return coroutine.create(function() end)", "cannot pass a thread"),
    ])
    func unconvertibleValuesAreClearErrors(source: String, message: String) throws {
        let f = try ScriptFixture()
        #expect {
            try f.host.eval(source)
        } throws: { e in
            guard let e = e as? OrderError else { return false }
            return e.code == .script && e.message.contains(message)
        }
    }

    @Test func invalidUTF8FromLuaIsRefused() throws {
        let f = try ScriptFixture()
        #expect {
            try f.host.eval(#"return oe.call("order.count", {text = "\xff\xfe"})"#)
        } throws: { e in (e as? OrderError)?.message.contains("UTF-8") ?? false }
    }

    @Test func emptyTableWorksAsAnEmptyList() throws {
        let f = try ScriptFixture()
        // `tags = {}` crosses as {} and is accepted where a list is expected.
        let r = try f.host.eval("""
            local o = oe.orders.create{customer = {name = "A", email = "a@b.dk"}, lines = {{sku = "X", name = "X", qty = 1, unit_price = 100}}, tags = {}}
            return #o.tags
            """)
        #expect(r == 0)
    }
}
