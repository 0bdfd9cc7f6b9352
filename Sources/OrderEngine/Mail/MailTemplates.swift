import Mustache
import OrderCore
import Synchronization

/// Renders the merchant's e-mail templates with swift-mustache, once per template and set of
/// values present, and fills in the values of each e-mail after.
///
/// Why: swift-mustache walks its context through `Any`, protocol casts and `Mirror` for every
/// variable, ~8 µs per e-mail, a fifth of a status change and of a mass update. But an e-mail's
/// values are plain texts and are inserted as they are (plain-text templates, no escaping), so
/// the only thing a value decides beyond its own text is whether its sections render — its
/// presence. Rendering the template once with a marker in place of each value present gives a
/// skeleton that, with the markers replaced by the values, is exactly what swift-mustache
/// renders for those values. Values or templates containing a marker character are rendered
/// directly.
enum MailTemplates {
    private static let open: UInt8 = 0x01, close: UInt8 = 0x02

    /// A rendered template: literal text and which value goes between.
    private struct Skeleton {
        enum Part { case text(String), value(Int) }
        let parts: [Part]
    }

    /// Compiled templates by their text as the merchant wrote it.
    private static let compiled = Locked<[String: MustacheTemplate]>([:])
    /// Skeletons by template text, then by the names of the values present (sorted, joined).
    private static let skeletons = Locked<[String: [String: Skeleton]]>([:])

    /// Checks that a template compiles; throws `invalid` naming `field` otherwise.
    static func validate(_ text: String, field: String) throws {
        do { _ = try MustacheTemplate(string: text) } catch {
            throw OrderError.invalid(field, "not a valid Mustache template: \(error)")
        }
    }

    /// `text` rendered as plain text with `values`: `{{x}}` is not HTML-escaped (the pragma
    /// switches swift-mustache's default HTML escaping off), so "Jensen & Co" stays as written.
    static func render(_ text: String, _ values: [String: String]) throws -> String {
        let names = values.keys.sorted()
        if text.utf8.contains(where: { $0 == open || $0 == close })
            || values.values.contains(where: { $0.utf8.contains(where: { $0 == open || $0 == close }) }) {
            return try template(text).render(values)
        }
        let signature = names.joined(separator: ",")
        let skeleton: Skeleton
        if let s = skeletons.withLock({ $0[text]?[signature] }) {
            skeleton = s
        } else {
            skeleton = try makeSkeleton(text, names)
            skeletons.withLock { all in
                if all.count >= 1000 { all.removeAll() }
                all[text, default: [:]][signature] = skeleton
            }
        }
        var out = ""
        for part in skeleton.parts {
            switch part {
            case .text(let t): out += t
            case .value(let i): out += values[names[i]]!
            }
        }
        return out
    }

    /// Renders `text` once with the marker `\u{1}i\u{2}` as the value of `names[i]` and cuts
    /// the result at the markers.
    private static func makeSkeleton(_ text: String, _ names: [String]) throws -> Skeleton {
        var markers: [String: String] = [:]
        for (i, n) in names.enumerated() { markers[n] = "\u{1}\(i)\u{2}" }
        let rendered = Array(try template(text).render(markers).utf8)
        var parts: [Skeleton.Part] = []
        var literal: [UInt8] = []
        var i = 0
        while i < rendered.count {
            if rendered[i] == open, let end = rendered[(i + 1)...].firstIndex(of: close),
               let index = Int(String(decoding: rendered[(i + 1)..<end], as: UTF8.self)), index < names.count {
                if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))) }
                literal.removeAll()
                parts.append(.value(index))
                i = end + 1
            } else {
                literal.append(rendered[i])
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))) }
        return Skeleton(parts: parts)
    }

    private static func template(_ text: String) throws -> MustacheTemplate {
        if let t = compiled.withLock({ $0[text] }) { return t }
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
        } catch {
            throw OrderError(.invalid, "status e-mail template failed to compile: \(error)")
        }
        compiled.withLock { if $0.count < 1000 { $0[text] = template } }
        return template
    }

    /// Renders directly with swift-mustache, without skeletons (for tests comparing the two).
    static func renderDirectly(_ text: String, _ values: [String: String]) throws -> String {
        try template(text).render(values)
    }
}
