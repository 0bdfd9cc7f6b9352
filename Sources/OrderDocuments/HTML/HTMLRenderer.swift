import OrderCore

/// Renders a `DocumentLayout` as one self-contained HTML page (inline styles only, so it also
/// serves as an e-mail body; no scripts, no external resources). Every text is escaped.
public enum HTMLRenderer {
    /// The HTML of `layout`, UTF-8.
    public static func render(_ layout: DocumentLayout) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"\(layout.language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<title>\(escape(layout.title)) \(escape(layout.reference))</title>\n</head>\n"
        h += "<body style=\"font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 14px; color: #111; max-width: 760px; margin: 24px auto;\">\n"
        h += "<h1 style=\"text-align: right; margin: 0;\">\(escape(layout.title))</h1>\n"
        h += "<p style=\"text-align: right; margin: 0 0 24px;\">\(escape(layout.reference))</p>\n"
        h += "<table style=\"width: 100%; border-collapse: collapse; margin-bottom: 16px;\"><tr>\n"
        for p in [layout.buyer, layout.seller] {
            h += "<td style=\"vertical-align: top; width: 50%;\"><div style=\"color: #555; font-size: 11px; font-weight: bold;\">\(escape(p.heading))</div>"
            h += p.lines.map(escape).joined(separator: "<br>") + "</td>\n"
        }
        h += "</tr></table>\n<table style=\"margin-left: auto; border-collapse: collapse; margin-bottom: 16px;\">\n"
        for f in layout.facts {
            h += "<tr><td style=\"color: #555; padding-right: 16px;\">\(escape(f.label))</td><td style=\"text-align: right;\">\(escape(f.value))</td></tr>\n"
        }
        h += "</table>\n<table style=\"width: 100%; border-collapse: collapse;\">\n<thead><tr>"
        for c in layout.columns {
            h += "<th style=\"text-align: \(c.numeric ? "right" : "left"); border-bottom: 1px solid #999; padding: 4px;\">\(escape(c.heading))</th>"
        }
        h += "</tr></thead>\n<tbody>\n"
        for row in layout.rows {
            h += "<tr>"
            for (k, c) in layout.columns.enumerated() where k < row.count {
                h += "<td style=\"text-align: \(c.numeric ? "right" : "left"); padding: 4px;\">\(escape(row[k]))</td>"
            }
            h += "</tr>\n"
        }
        h += "</tbody>\n</table>\n<table style=\"margin-left: auto; border-collapse: collapse; margin-top: 12px;\">\n"
        for f in layout.vatRows {
            h += "<tr><td style=\"color: #555; padding-right: 16px;\">\(escape(f.label))</td><td style=\"text-align: right;\">\(escape(f.value))</td></tr>\n"
        }
        for f in layout.totals {
            let w = f.strong ? " font-weight: bold;" : ""
            h += "<tr><td style=\"padding-right: 16px;\(w)\">\(escape(f.label))</td><td style=\"text-align: right;\(w)\">\(escape(f.value))</td></tr>\n"
        }
        h += "</table>\n"
        for n in layout.notes { h += "<p>\(escape(n))</p>\n" }
        h += "<p style=\"color: #555; font-size: 11px; border-top: 1px solid #999; padding-top: 8px;\">\(escape(layout.footer))</p>\n"
        h += "</body>\n</html>\n"
        return h
    }

    /// `s` with `& < > " '` escaped for HTML text and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
