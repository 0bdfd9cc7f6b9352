import OrderCore
import OrderEngine
import Testing

/// Engine.transaction: many commands in one transaction (group commit).
@Suite struct TransactionAPITests {
    @Test func manyCommandsCommitTogetherAndCapturesFollow() throws {
        let shop = try Shop()
        let numbers: [Int64] = try shop.engine.transaction { ctx in
            var out: [Int64] = []
            for _ in 0..<3 {
                let o = try ctx.call("order.create", Shop.orderParams())
                let n = o["order"]!
                _ = try ctx.call("payment.authorize", ["order": n, "amount": .int(Shop.defaultTotal), "method": "visa"])
                let s = try ctx.call("shipment.create", ["order": n])
                _ = try ctx.call("shipment.hand_over", ["shipment": s["shipment"]!])
                _ = try ctx.call("payment.capture", ["order": n])
                out.append(n.intValue!)
            }
            return out
        }
        #expect(numbers == [1, 2, 3])
        for n in numbers {
            let o = try shop.order(n)
            #expect(o["captured"] == .int(Shop.defaultTotal))
            #expect(o["invoices"]?.arrayValue?.count == 1)
        }
    }

    @Test func aCaughtFailureUndoesOnlyThatCall() throws {
        let shop = try Shop()
        try shop.engine.transaction { ctx in
            _ = try ctx.call("order.create", Shop.orderParams())
            #expect(throws: OrderError.self) { try ctx.call("order.set_status", ["order": 1, "status": "delivered"]) }
            _ = try ctx.call("order.tag", ["order": 1, "add": ["ok"]])
        }
        #expect(try shop.order(1)["tags"] == ["ok"])
    }

    @Test func aThrowingBodyStoresNothing() throws {
        let shop = try Shop()
        let before = try shop.checksum()
        #expect(throws: OrderError.self) {
            try shop.engine.transaction { ctx in
                _ = try ctx.call("order.create", Shop.orderParams())
                throw OrderError(.conflict, "changed my mind")
            }
        }
        #expect(try shop.checksum() == before)
        #expect(try shop.createOrder() == 1, "the number was not used")
    }
}

/// Orders decoded once per transaction are forgotten when a savepoint rolls back.
@Suite struct TransactionMemoryTests {
    final class FailOnProcessing: EngineHooks, @unchecked Sendable {
        func before(command name: String, params: JSON, context: CommandContext) throws {}
        func on(event: EngineEvent, context: CommandContext) throws {
            if event.to == "processing" { throw OrderError(.script, "not now") }
        }
    }

    @Test func aRolledBackCallLeavesNoStaleOrderBehind() throws {
        let shop = try Shop()
        shop.engine.setHooks(FailOnProcessing())
        try shop.engine.transaction { ctx in
            let n = try ctx.call("order.create", Shop.orderParams())["order"]!
            _ = try ctx.call("payment.authorize", ["order": n, "amount": .int(Shop.defaultTotal), "method": "visa"])
            // Saved inside its savepoint, then the hook fails: the savepoint rolls back.
            #expect(throws: OrderError.self) { try ctx.call("order.set_status", ["order": n, "status": "processing"]) }
            let o = try ctx.call("order.get", ["order": n])
            #expect(o["status"] == "received")
            _ = try ctx.call("order.set_status", ["order": n, "status": "shipped"])
        }
        #expect(try shop.order(1)["status"] == "shipped")
        #expect(try shop.order(1)["version"] == 4)
    }
}
