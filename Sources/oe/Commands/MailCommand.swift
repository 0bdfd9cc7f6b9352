import ArgumentParser
import OrderCore
import OrderEngine
#if canImport(Glibc)
import Glibc
#endif

/// `oe mail dns`: what the shop publishes in DNS (DKIM, SPF, DMARC), as a table.
struct MailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "The shop's e-mail: DNS records (DKIM, SPF, DMARC).", subcommands: [DNS.self])

    struct DNS: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the TXT records to publish (from mail.dns_records).")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            do {
                let engine = try EngineFactory.open(database, fallback: "orderengine.sqlite")
                let r = try engine.call("mail.dns_records", [:], actor: "cli")
                let rows = (r["records"]?.arrayValue ?? []).map { rec in
                    ["purpose", "name", "type", "value"].map { rec[$0]?.stringValue ?? "" }
                }
                var table = TextTable(["purpose", "name", "type", "value"])
                for row in rows { table.add(row) }
                print(table.render(indent: 0))
            } catch {
                printError(error.description)
                throw ExitCode(error.code.rawValue)
            }
        }
    }
}

/// `oe mail-worker [--once]`: delivers the outbox, outside any write transaction.
struct MailWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail-worker",
        abstract: "Send the outbox's e-mail (SMTP from settings mail.smtp_url, DKIM-signed), retrying what failed for now.",
        discussion: """
            Claims a batch of due messages in one short transaction, sends them, and records the
            outcomes in another. Several workers may run on one database. Without --once it runs
            until stopped, polling every --interval seconds when there is nothing to send.
            """)

    @OptionGroup var database: DatabaseOptions

    @Flag(name: .long, help: "Deliver what is due now, then exit.")
    var once = false

    @Option(name: .long, help: "Messages claimed per batch.")
    var batch: Int = 50

    @Option(name: .long, help: "Seconds a claim lasts (after a crash its batch is re-sent when it ends).")
    var lease: Int = 120

    @Option(name: .long, help: "Seconds before the first retry of a message that failed for now (doubling after each attempt).")
    var backoff: Int = 30

    @Option(name: .long, help: "Seconds between polls when idle.")
    var interval: Double = 2

    func run() throws {
        do {
            let engine = try EngineFactory.open(database, fallback: "orderengine.sqlite")
            let worker = MailDelivery(engine: engine)
            var total = (sent: 0, retrying: 0, failed: 0)
            while true {
                let r = try worker.runOnce(limit: max(1, batch), lease: Int64(max(1, lease)), backoff: Int64(max(1, backoff)))
                total.sent += r.sent.count
                total.retrying += r.retrying.count
                total.failed += r.failed.count
                for (id, e) in r.errors { printError("message \(id): \(e)") }
                let idle = r.sent.isEmpty && r.retrying.isEmpty && r.failed.isEmpty
                if once && (idle || r.sent.count + r.retrying.count + r.failed.count < batch) { break }
                if idle { usleep(UInt32(max(0.05, interval) * 1_000_000)) }
            }
            print("sent \(total.sent), retrying \(total.retrying), failed \(total.failed)")
        } catch {
            printError(error.description)
            throw ExitCode(error.code.rawValue)
        }
    }
}
