import OrderCore
import OrderStore

/// `settings.get`, `settings.set`.
enum SettingsCommands {
    static func register(in r: inout CommandRegistry) {
        r.register(Command("settings.get", .read, "the shop's settings and number series", run: get))
        r.register(Command("settings.set", .write, "number series (start, prefix), capture policy, mail copy address, seller, validity table, …", run: set))
    }

    /// All settings, or with `key` only that one (`{key: value}`, `{}` for an unknown key): the
    /// number series are read from the store only when the key is one of theirs, so a
    /// workflow's `oe.settings.<name>` costs no database read.
    static func get(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        let key = try p.string("key", maxLength: 100)
        try p.finish()
        guard let key else { return try settingsJSON(ctx) }
        let needsSeries = key == "number_series" || NumberSeries.allCases.contains { $0.startKey == key }
        guard case .object(let o) = needsSeries ? try settingsJSON(ctx) : ctx.settings.json, let v = o[key] else { return .object([:]) }
        return [key: v]
    }

    static func settingsJSON(_ ctx: CommandContext) throws -> JSON {
        guard case .object(var o) = ctx.settings.json else { return ctx.settings.json }
        var series = JSONObject()
        let states = try ctx.session.numberSeriesStates()
        for s in NumberSeries.allCases {
            guard let st = states[s] else { throw OrderError(.storage, "number series '\(s.rawValue)' is missing") }
            o[s.startKey] = .int(st.start)
            series[s.rawValue] = ["start": .int(st.start), "next": .int(st.next), "prefix": .string(ctx.settings.prefix(s)),
                                  "issued": .int(st.next - st.start)]
        }
        o["number_series"] = .object(series)
        return .object(o)
    }

    static func set(_ ctx: CommandContext, _ p: ParamReader) throws -> JSON {
        var stored: [(String, JSON)] = []
        for s in NumberSeries.allCases {
            if let start = try p.int(s.startKey, in: 1...999_999_999_999) { try ctx.session.setNumberSeriesStart(s, start) }
            if let v = p.raw(s.prefixKey) {
                guard case .string(let prefix) = v, prefix.unicodeScalars.count <= 20, !prefix.contains(where: { $0.isNewline }) else {
                    throw OrderError.invalid(s.prefixKey, "expected a string of at most 20 characters")
                }
                stored.append((s.prefixKey, .string(prefix)))
            }
        }
        if let policy = try p.choice("capture_policy", CapturePolicy.allCases.map(\.rawValue)) { stored.append(("capture_policy", .string(policy))) }
        if let f = try p.choice("fee_capture", FeeRelease.allCases.map(\.rawValue)) { stored.append(("fee_capture", .string(f))) }
        if let b = try p.bool("invoice_on_capture") { stored.append(("invoice_on_capture", .bool(b))) }
        if let c = try p.object("capture") {
            let onAccount = try c.bool("on_account")
            try c.finish()
            if let onAccount { stored.append(("capture", ["on_account": .bool(onAccount)])) }
        }
        if let b = try p.bool("auto_capture_on_hand_over") { stored.append(("auto_capture_on_hand_over", .bool(b))) }
        if p.isNull("mail_copy_to") {
            _ = p.raw("mail_copy_to")
            stored.append(("mail_copy_to", .null))  // null turns the shop copy off
        } else if let m = try p.string("mail_copy_to", maxLength: 254) {
            guard Customer.looksLikeEmail(m) else { throw OrderError.invalid("mail_copy_to", "'\(m)' is not an e-mail address") }
            stored.append(("mail_copy_to", .string(m)))
        }
        if let zone = try p.string("time_zone", maxLength: 64) {
            guard ShopSettings.zone(named: zone) != nil else {
                throw OrderError.invalid("time_zone", "'\(zone)' is not an IANA time zone name of the system's tz database (e.g. Europe/Copenhagen, UTC)")
            }
            stored.append(("time_zone", .string(zone == "Etc/UTC" ? "UTC" : zone)))
        }
        if let name = try p.string("shop_name", maxLength: 200) { stored.append(("shop_name", .string(name))) }
        if let s = try p.object("seller") {
            let name = try s.requiredString("name", maxLength: 200)
            let address = try s.requiredString("address", maxLength: 400)
            let raw = try s.requiredString("vat_number", maxLength: 40)
            try s.finish()
            if name.allSatisfy(\.isWhitespace) { throw OrderError.invalid("seller.name", "must not be blank") }
            if address.allSatisfy(\.isWhitespace) { throw OrderError.invalid("seller.address", "must not be blank") }
            let vat: String
            switch VATNumber.normalize(raw) {
            case .success(let v): vat = v
            case .failure(let e): throw OrderError.invalid("seller.vat_number", e.message)
            }
            stored.append(("seller", ["name": .string(name), "address": .string(address), "vat_number": .string(vat)]))
        }
        if let v = try p.object("authorization_validity") {
            var table = ctx.settings.authorizationValidity.json.objectValue ?? JSONObject()
            for k in v.keys {
                let days = try v.requiredInt(k, in: 1...365)
                table[k.lowercased()] = .int(days)
            }
            stored.append(("authorization_validity", .object(table)))
        }
        if let m = try p.object("mail") { stored.append(("mail", try MailSettings.parse(m, over: ctx.settings.mail).json)) }
        if p.isNull("standard_delivery_fee") {
            _ = p.raw("standard_delivery_fee")
            stored.append(("standard_delivery_fee", .null))  // null: refund the full shipping fee again
        } else if let fees = try p.object("standard_delivery_fee") {
            // Merged over the stored table, per currency; a currency set to null is removed.
            var table = ctx.settings.standardDeliveryFee
            for code in fees.keys {
                guard Currency(code: code) != nil else {
                    throw OrderError.invalid("standard_delivery_fee.\(code)", "'\(code)' is not an ISO 4217 currency code (e.g. DKK)")
                }
                table[code] = try fees.int(code, in: 0...Amounts.max)
            }
            try fees.finish()
            var merged = JSONObject()
            for (code, fee) in table.sorted(by: { $0.key < $1.key }) { merged[code] = .int(fee) }
            stored.append(("standard_delivery_fee", .object(merged)))
        }
        if let d = try p.object("documents") { stored.append(("documents", try DocumentSettings.parse(d, over: ctx.settings.documents).json)) }
        if let o = try p.object("oss") {
            let oss = try OSSSettings(o, over: ctx.settings.oss)
            var over = JSONObject()
            for k in oss.rates.keys.sorted() { over[k] = .int(oss.rates[k]!) }
            stored.append(("oss", ["enabled": .bool(oss.enabled), "rates": .object(over)]))
        }
        if let r = try p.object("exchange_rates") {
            var rates = ctx.settings.exchangeRates
            for k in r.keys {
                guard let cur = Currency(code: k), cur.code != "DKK" else {
                    throw OrderError.invalid(r.fieldPath(k), "expected the ISO 4217 code of a currency other than DKK, such as EUR")
                }
                if r.isNull(k) {
                    _ = r.raw(k)
                    rates[k] = nil
                } else {
                    rates[k] = try ExchangeRate.read(r, k)
                }
            }
            try r.finish()
            var o = JSONObject()
            for k in rates.keys.sorted() { o[k] = .string(rates[k]!.description) }
            stored.append(("exchange_rates", .object(o)))
        }
        try p.finish()
        for (k, v) in stored { try ctx.session.saveSetting(k, v) }
        try ctx.session.bumpConfigGeneration()
        ctx.engine.forgetCachedConfiguration()
        ctx.settings = ShopSettings(stored: try ctx.session.loadSettings())
        return try settingsJSON(ctx)
    }
}
