#if canImport(Glibc)
import Glibc
#endif
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

    /// A template's text as a dictionary key, hashed and compared by its UTF-8 bytes: `String`'s
    /// own hashing and comparison normalise Unicode (NFC) first, which for Danish text cost
    /// more than the rest of the lookup.
    private struct TextKey: Hashable {
        let text: String
        func hash(into h: inout Hasher) {
            var t = text
            t.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
        static func == (a: TextKey, b: TextKey) -> Bool {
            var x = a.text, y = b.text
            return x.withUTF8 { p in
                y.withUTF8 { q in p.count == q.count && (p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) }
            }
        }
    }

    /// What is kept per template text: compiled, whether it contains a marker character, and
    /// its skeletons by the names of the values present (sorted, joined by commas).
    private struct Entry {
        let template: MustacheTemplate
        let hasMarkers: Bool
        var skeletons: [String: Skeleton] = [:]
    }

    private static let entries = Locked<[TextKey: Entry]>([:])

    /// Checks that a template compiles; throws `invalid` naming `field` otherwise.
    static func validate(_ text: String, field: String) throws {
        do { _ = try MustacheTemplate(string: text) } catch {
            throw OrderError.invalid(field, "not a valid Mustache template: \(error)")
        }
    }

    /// `text` rendered as plain text with `values`: `{{x}}` is not HTML-escaped (the pragma
    /// switches swift-mustache's default HTML escaping off), so "Jensen & Co" stays as written.
    static func render(_ text: String, _ values: [String: String]) throws -> String {
        let key = TextKey(text: text)
        let names = values.keys.sorted()
        let signature = names.joined(separator: ",")
        let (entry, skeleton) = entries.withLock { e in (e[key], e[key]?.skeletons[signature]) }
        if let skeleton { return fill(skeleton, names, values) }
        let template = try entry?.template ?? compile(text)
        let hasMarkers = entry?.hasMarkers ?? text.utf8.contains(where: isMarker)
        if entry == nil {
            entries.withLock { e in
                if e.count >= 1000 { e.removeAll() }
                e[key] = e[key] ?? Entry(template: template, hasMarkers: hasMarkers)
            }
        }
        if hasMarkers || values.values.contains(where: { $0.utf8.contains(where: isMarker) }) {
            return template.render(values)
        }
        let made = makeSkeleton(template, names)
        entries.withLock { e in e[key, default: Entry(template: template, hasMarkers: false)].skeletons[signature] = made }
        return fill(made, names, values)
    }

    private static func isMarker(_ b: UInt8) -> Bool { b == open || b == close }

    private static func fill(_ skeleton: Skeleton, _ names: [String], _ values: [String: String]) -> String {
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
    private static func makeSkeleton(_ template: MustacheTemplate, _ names: [String]) -> Skeleton {
        var markers: [String: String] = [:]
        for (i, n) in names.enumerated() { markers[n] = "\u{1}\(i)\u{2}" }
        let rendered = Array(template.render(markers).utf8)
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

    private static func compile(_ text: String) throws -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
        } catch {
            throw OrderError(.invalid, "status e-mail template failed to compile: \(error)")
        }
    }

    /// Renders directly with swift-mustache, without skeletons (for tests comparing the two).
    static func renderDirectly(_ text: String, _ values: [String: String]) throws -> String {
        try compile(text).render(values)
    }
}
