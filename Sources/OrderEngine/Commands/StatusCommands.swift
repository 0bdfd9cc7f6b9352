import OrderCore
import OrderStore

/// `status.define`, `status.list`.
enum StatusCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("status.define", .write, "add or change a status: labels (da, en), transitions, e-mail template per language", run: define))
        r.register(Command("status.list", .read, "every status with its labels, transitions and e-mail templates", run: list))
    }

    static func define(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let key = try p.requiredString("key", maxLength: 40)
        guard StatusDefinition.isValidKey(key) else {
            throw OrderError.invalid("key", "'\(key)' is not a status key: use 1–40 of a-z, 0-9 and _, starting with a letter")
        }
        var graph = ctx.statuses
        let existing = graph[key]
        var def = existing ?? StatusDefinition(key: key, labels: [:], transitions: [])
        if let l = try p.object("labels") {
            for lang in Language.allCases { if let v = try l.string(lang.rawValue, maxLength: 100) { def.labels[lang] = v } }
            try l.finish()
        }
        for lang in Language.allCases where def.labels[lang] == nil {
            throw OrderError.invalid("labels.\(lang.rawValue)", "a new status needs a label in Danish and English")
        }
        let to = try p.strings("to", maxCount: 100, maxLength: 40)
        let from = try p.strings("from", maxCount: 100, maxLength: 40) ?? []
        if let e = try p.object("email") {
            for lang in Language.allCases {
                guard let t = try e.object(lang.rawValue) else { continue }
                let subject = try t.requiredString("subject", maxLength: 300)
                let body = try t.requiredString("body", maxLength: 20_000)
                try t.finish()
                try MailTemplates.validate(subject, field: t.fieldPath("subject"))
                try MailTemplates.validate(body, field: t.fieldPath("body"))
                def.email[lang] = EmailTemplate(subject: subject, body: body)
            }
            try e.finish()
        }
        try p.finish()
        for (field, list) in [("to", to ?? []), ("from", from)] {
            for (k, s) in list.enumerated() where s != key && graph[s] == nil {
                throw OrderError.invalid("\(field)[\(k)]", "unknown status '\(s)'; define it first")
            }
        }
        if let to { def.transitions = to }
        graph.upsert(def)
        var changed = [key]
        for s in from where !graph.allows(from: s, to: key) {
            graph.addTransition(from: s, to: key)
            changed.append(s)
        }
        for k in changed { try ctx.session.saveStatusDefinition(graph[k]!) }
        try ctx.session.bumpConfigGeneration()
        ctx.engine.forgetCachedConfiguration()
        ctx.statuses = graph
        return graph[key]!.json
    }

    static func list(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        try p.finish()
        return ["statuses": .array(ctx.statuses.all.map(\.json))]
    }
}
