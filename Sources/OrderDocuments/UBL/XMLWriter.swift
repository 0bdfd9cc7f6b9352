/// A minimal writer of indented, escaped XML for the UBL documents. Empty values are left
/// out (Peppol forbids empty elements, PEPPOL-EN16931-R008).
struct XMLWriter {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var open: [String] = []

    /// Opens `name` with `attributes` (in the given order).
    mutating func start(_ name: String, _ attributes: [(String, String)] = []) {
        text += indent + "<" + name + attrs(attributes) + ">\n"
        open.append(name)
    }

    /// Closes the innermost open element.
    mutating func end() {
        let name = open.removeLast()
        text += indent + "</" + name + ">\n"
    }

    /// `<name attrs>value</name>`, or nothing when `value` is nil or empty.
    mutating func leaf(_ name: String, _ value: String?, _ attributes: [(String, String)] = []) {
        guard let value, !value.isEmpty else { return }
        text += indent + "<" + name + attrs(attributes) + ">" + XMLWriter.escape(value) + "</" + name + ">\n"
    }

    /// Opens `name`, runs `body`, closes it.
    mutating func element(_ name: String, _ attributes: [(String, String)] = [], _ body: (inout XMLWriter) -> Void) {
        start(name, attributes)
        body(&self)
        end()
    }

    private var indent: String { String(repeating: "  ", count: open.count) }

    private func attrs(_ a: [(String, String)]) -> String {
        a.map { " \($0.0)=\"\(XMLWriter.escape($0.1))\"" }.joined()
    }

    /// `s` with `& < > "` escaped and characters XML 1.0 cannot carry (C0 controls but tab,
    /// LF, CR) dropped.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(ch)
            default: if ch.value >= 0x20 && ch.value != 0xFFFE && ch.value != 0xFFFF { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
