import OrderCore
import OrderStore

/// `order.tag`: add or remove tags (filters, workflows and mass updates key on them).
enum TagCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("order.tag", .write, "add or remove tags on an order", run: tag))
    }

    static func tag(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let n = try OrderCommands.orderNumber(p)
        let add = try p.strings("add", maxCount: 50, maxLength: 64) ?? []
        let remove = try p.strings("remove", maxCount: 50, maxLength: 64) ?? []
        let expected = try p.int("expected_version")
        try p.finish()
        if add.isEmpty && remove.isEmpty { throw OrderError.invalid("add", "name tags to add or remove") }
        var a = try ctx.aggregate(n, expectedVersion: expected)
        var tags = a.order.tags.filter { !remove.contains($0) }
        for t in add where !tags.contains(t) { tags.append(t) }
        if tags.count > 50 { throw OrderError.invalid("add", "an order carries at most 50 tags") }
        if tags != a.order.tags {
            let before = a.order.tags
            a.order.tags = tags
            try ctx.save(&a, documentChanged: true)
            try ctx.record(order: n, event: "order.tagged", detail: ["added": .array(add.filter { !before.contains($0) }.map { .string($0) }),
                                                                   "removed": .array(remove.filter { before.contains($0) }.map { .string($0) })])
        }
        return ["order": .int(n), "tags": .array(tags.map { .string($0) }), "version": .int(a.order.version)]
    }
}
