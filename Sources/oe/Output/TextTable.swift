/// A small aligned-columns table for terminal reports.
///
/// Written by hand: ordo-one/TextTable (the one table package on the mirror) is a Swift 5.0-era
/// API built on Foundation formatters and reflection over row types; the report needs only
/// left/right-aligned columns of strings with a rule under the header.
struct TextTable {
    enum Align { case left, right }

    var headers: [String]
    var align: [Align]
    var rows: [[String]] = []

    init(_ headers: [String], align: [Align]? = nil) {
        self.headers = headers
        self.align = align ?? headers.map { _ in .left }
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// The table as text, each line indented by `indent` spaces.
    func render(indent: Int = 2) -> String {
        var widths = headers.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            let parts = cells.enumerated().map { i, c in align[i] == .right ? c.leftPadding(widths[i]) : c.padding(widths[i]) }
            return String(repeating: " ", count: indent) + parts.joined(separator: "  ").trailingTrimmed
        }
        var out = [line(headers), String(repeating: " ", count: indent) + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}

extension String {
    /// Pads with spaces on the right to `width` characters.
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    /// Pads with spaces on the left to `width` characters.
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
    var trailingTrimmed: String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
