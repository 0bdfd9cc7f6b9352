import OrderCore

/// One e-mail to build: the headers a shop sends and the parts of its body.
public struct MailMessage: Sendable, Equatable {
    /// A file attached to the message (`multipart/mixed`).
    public struct Attachment: Sendable, Equatable {
        public var filename: String
        /// e.g. `application/pdf`.
        public var mimeType: String
        public var bytes: [UInt8]

        public init(filename: String, mimeType: String, bytes: [UInt8]) {
            self.filename = filename
            self.mimeType = mimeType
            self.bytes = bytes
        }
    }

    /// `Name <address>` or an address.
    public var from: String
    public var to: String
    public var replyTo: String?
    public var subject: String
    /// The plain-text body.
    public var text: String
    /// The HTML alternative of the body, if any (`multipart/alternative`).
    public var html: String?
    public var attachments: [Attachment]
    /// Without angle brackets: `outbox-17.1764662400@kaffe.dk`.
    public var messageID: String
    public var date: Timestamp
    /// Extra headers (name, value), e.g. `Auto-Submitted: auto-generated`.
    public var extraHeaders: [(String, String)]

    public init(from: String, to: String, replyTo: String? = nil, subject: String, text: String, html: String? = nil,
                attachments: [Attachment] = [], messageID: String, date: Timestamp, extraHeaders: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.messageID = messageID
        self.date = date
        self.extraHeaders = extraHeaders
    }

    public static func == (a: MailMessage, b: MailMessage) -> Bool {
        a.from == b.from && a.to == b.to && a.replyTo == b.replyTo && a.subject == b.subject && a.text == b.text && a.html == b.html
            && a.attachments == b.attachments && a.messageID == b.messageID && a.date == b.date
            && a.extraHeaders.map { $0.0 + ":" + $0.1 } == b.extraHeaders.map { $0.0 + ":" + $0.1 }
    }

    /// The address part of a `Name <address>` mailbox.
    public static func address(of mailbox: String) -> String {
        if let lt = mailbox.lastIndex(of: "<"), let gt = mailbox.lastIndex(of: ">"), lt < gt {
            return String(mailbox[mailbox.index(after: lt)..<gt])
        }
        return mailbox
    }
}
