/// The subject and text body of a status e-mail in one language, as Mustache templates.
///
/// Variables: `{{customer_name}}`, `{{order}}` (the reference, e.g. `WEB-1001`), `{{status}}`
/// (the label in the customer's language), `{{total}}` (in the customer's form: `1.057,00 kr.` / `DKK 1,057.00`), `{{tracking}}`,
/// `{{carrier}}`, `{{location}}` (pickup), `{{shop_name}}`.
public struct EmailTemplate: Sendable, Equatable {
    public var subject: String
    public var body: String

    public init(subject: String, body: String) {
        self.subject = subject
        self.body = body
    }

    public var json: JSON { ["subject": .string(subject), "body": .string(body)] }
}

/// An order status: its key, labels per language, the statuses it may move to, and the
/// e-mail template per language sent when an order with `notify` on enters it.
public struct StatusDefinition: Sendable, Equatable {
    public var key: String
    public var labels: [Language: String]
    /// Keys of the statuses an order in this status may move to.
    public var transitions: [String]
    /// The status e-mail per language; a status without one sends no e-mail.
    public var email: [Language: EmailTemplate]
    /// Whether this is one of the built-in statuses.
    public var builtIn: Bool

    public init(key: String, labels: [Language: String], transitions: [String], email: [Language: EmailTemplate] = [:], builtIn: Bool = false) {
        self.key = key
        self.labels = labels
        self.transitions = transitions
        self.email = email
        self.builtIn = builtIn
    }

    /// The label in `language`, falling back to English, then the key.
    public func label(_ language: Language) -> String { labels[language] ?? labels[.en] ?? key }

    /// The JSON form used by `status.list` and stored by `status.define`.
    public var json: JSON {
        var labels = JSONObject()
        for l in Language.allCases { if let v = self.labels[l] { labels[l.rawValue] = .string(v) } }
        var email = JSONObject()
        for l in Language.allCases { if let t = self.email[l] { email[l.rawValue] = t.json } }
        return [
            "key": .string(key), "labels": .object(labels), "transitions": .array(transitions.map { .string($0) }),
            "email": .object(email), "built_in": .bool(builtIn),
        ]
    }

    /// Restores from stored JSON (trusted).
    public init?(stored j: JSON) {
        guard let key = j["key"]?.stringValue else { return nil }
        var labels: [Language: String] = [:]
        var email: [Language: EmailTemplate] = [:]
        for l in Language.allCases {
            if let v = j["labels"]?[l.rawValue]?.stringValue { labels[l] = v }
            if let t = j["email"]?[l.rawValue], let s = t["subject"]?.stringValue, let b = t["body"]?.stringValue {
                email[l] = EmailTemplate(subject: s, body: b)
            }
        }
        self.init(key: key, labels: labels, transitions: (j["transitions"]?.arrayValue ?? []).compactMap(\.stringValue),
                  email: email, builtIn: j["built_in"]?.boolValue ?? false)
    }

    /// Whether `key` is a valid status key: 1–40 of `a-z`, `0-9`, `_`, starting with a letter.
    public static func isValidKey(_ key: String) -> Bool {
        let u = Array(key.utf8)
        guard (1...40).contains(u.count), (0x61...0x7A).contains(u[0]) else { return false }
        return u.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }
}
