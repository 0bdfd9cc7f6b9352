import Testing
@testable import OrderCore

@Suite("Error codes and messages")
struct OrderErrorTests {
    @Test("codes map 1:1 to the C ABI status numbers and stable names")
    func codes() {
        let expected: [(ErrorCode, Int32, String)] = [
            (.notFound, 1, "not_found"), (.invalid, 2, "invalid"), (.conflict, 3, "conflict"), (.policy, 4, "policy"),
            (.script, 5, "script"), (.port, 6, "port"), (.storage, 7, "storage"), (.misuse, 8, "misuse"),
            (.outOfMemory, 9, "nomem"),
        ]
        #expect(ErrorCode.allCases.count == expected.count)
        for (code, raw, name) in expected {
            #expect(code.rawValue == raw)
            #expect(code.name == name)
            #expect(code.description == name)
            #expect(ErrorCode(name: name) == code)
            #expect(ErrorCode(rawValue: raw) == code)
        }
        #expect(ErrorCode(name: "NOT_FOUND") == nil)
        #expect(ErrorCode(name: "outOfMemory") == nil)
        #expect(ErrorCode(rawValue: 0) == nil)
    }

    @Test("invalid(field, problem) prefixes the field and records it")
    func invalidHelper() {
        let e = OrderError.invalid("lines[2].qty", "is required")
        #expect(e.code == .invalid)
        #expect(e.message == "lines[2].qty: is required")
        #expect(e.field == "lines[2].qty")
        #expect(e.description == "error[invalid]: lines[2].qty: is required")

        let root = OrderError.invalid("", "expected an object")
        #expect(root.message == "expected an object")
        #expect(root.field == nil)
    }

    @Test("the other helpers set their codes")
    func helpers() {
        #expect(OrderError.notFound("x") == OrderError(.notFound, "x"))
        #expect(OrderError.policy("x").code == .policy)
        #expect(OrderError.conflict("x").code == .conflict)
        #expect(OrderError.policy("x").field == nil)
        #expect(OrderError(.storage, "disk").description == "error[storage]: disk")
    }
}
