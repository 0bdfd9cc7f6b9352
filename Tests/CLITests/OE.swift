import Foundation
import OrderCore

/// Runs the built `oe` executable as a user would, capturing its output and exit code.
enum OE {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `oe` binary next to the test bundle (SwiftPM builds it because CLITests depends on it).
    static let binary: URL = {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("oe"),
            Bundle.main.bundleURL.appendingPathComponent("oe"),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("oe"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/oe"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    /// Starts `oe args…`; call `wait` on the result.
    static func start(_ args: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        if let stdin {
            let inPipe = Pipe()
            p.standardInput = inPipe
            try p.run()
            inPipe.fileHandleForWriting.write(stdin.data(using: .utf8)!)
            try inPipe.fileHandleForWriting.close()
        } else {
            p.standardInput = FileHandle.nullDevice
            try p.run()
        }
        return (p, out, err)
    }

    static func wait(_ started: (Process, Pipe, Pipe)) -> Run {
        let (p, out, err) = started
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Runs `oe args…` to completion.
    static func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Run {
        wait(try start(args, stdin: stdin, environment: environment))
    }

    /// A fresh database path in a new temporary folder.
    static func tempDatabase() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oe-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("shop.sqlite").path
    }

    static let orderParams = """
        {"customer":{"name":"Mette Jensen","email":"mette@example.dk","language":"da"},
         "lines":[{"sku":"KAF","name":"Kaffe 1 kg","qty":2,"unit_price":17900,"vat_rate":2500}],
         "delivery":{"method":"shipping","carrier":"GLS"}}
        """
}
