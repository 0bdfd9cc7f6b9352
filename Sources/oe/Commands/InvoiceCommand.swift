import ArgumentParser
import OrderCore
import OrderEngine

/// `oe invoice render F-5001 --format pdf -o f.pdf` and `oe invoice send F-5001`.
struct InvoiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice",
        abstract: "Render an invoice or credit note (PDF, HTML, Peppol UBL), or e-mail it to the customer.",
        subcommands: [Render.self, Send.self])

    /// `oe invoice render NUMBER --format pdf|html|ubl [-o FILE] [--language da|en]`.
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an invoice or credit note as PDF, HTML or Peppol BIS 3.0 UBL.",
            discussion: "NUMBER is the number (5001) or the printed reference with its series prefix (F-5001, K-9001).")

        @Argument(help: "The document: 5001, F-5001 or K-9001.")
        var number: String

        @Option(name: .long, help: "pdf, html or ubl.")
        var format: String = "pdf"

        @Option(name: .shortAndLong, help: "The file to write (default: <reference>.<pdf|html|xml> in the current folder).")
        var output: String?

        @Option(name: .long, help: "invoice or credit_note, when the number alone is ambiguous.")
        var kind: String?

        @Option(name: .long, help: "da or en (default: the customer's language).")
        var language: String?

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            do {
                let engine = try EngineFactory.open(database, fallback: "orderengine.sqlite")
                var params: JSONObject = ["number": Int64(number).map(JSON.int) ?? .string(number), "format": .string(format)]
                if let kind { params["kind"] = .string(kind) }
                if let language { params["language"] = .string(language) }
                let ext = format == "ubl" ? "xml" : format
                params["path"] = .string(output ?? "\(number).\(ext)")
                let r = try engine.call("invoice.render", .object(params), actor: "cli")
                print("\(r["reference"]?.stringValue ?? number): \(r["bytes"]?.intValue ?? 0) bytes of \(format) written to \(r["path"]?.stringValue ?? "")")
            } catch {
                printError(error.description)
                throw ExitCode(error.code.rawValue)
            }
        }
    }

    /// `oe invoice send NUMBER [--to ADDRESS]`: queues the invoice e-mail (PDF attached).
    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue the invoice e-mail with the PDF attached (sent by `oe mail-worker`).")

        @Argument(help: "The document: 5001, F-5001 or K-9001.")
        var number: String

        @Option(name: .long, help: "The recipient (default: the customer).")
        var to: String?

        @Option(name: .long, help: "invoice or credit_note.")
        var kind: String?

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            do {
                let engine = try EngineFactory.open(database, fallback: "orderengine.sqlite")
                var params: JSONObject = ["number": Int64(number).map(JSON.int) ?? .string(number)]
                if let kind { params["kind"] = .string(kind) }
                if let to { params["to"] = .string(to) }
                let r = try engine.call("invoice.send", .object(params), actor: "cli")
                print("queued outbox message \(r["id"]?.intValue ?? 0) to \(r["to"]?.stringValue ?? "")")
            } catch {
                printError(error.description)
                throw ExitCode(error.code.rawValue)
            }
        }
    }
}
