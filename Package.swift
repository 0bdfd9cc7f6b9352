// swift-tools-version:6.1
// OrderEngine: an embeddable order-processing engine for web shops.
// Layers (see docs/ARCHITECTURE in ../shared/design): OrderCore <- OrderStorage (seam) <- OrderStore (SQLite) <- OrderEngine <- oe.
import PackageDescription

let package = Package(
    name: "OrderEngine",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "OrderEngine", targets: ["OrderEngine"]),
        .executable(name: "oe", targets: ["oe"]),
        // liborderengine.so: the C ABI of include/orderengine.h (+ luaopen_orderengine).
        .library(name: "orderengine", type: .dynamic, targets: ["OrderEngineC", "OrderEngineLua"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        // Pure domain values and rules: no I/O, no dependencies.
        .target(name: "OrderCore"),
        // The store seam: the backend and transaction protocols and the record types they share.
        .target(name: "OrderStorage", dependencies: ["OrderCore"]),
        // SQLite schema, migrations and queries (GRDB); one transaction per command.
        .target(
            name: "OrderStore",
            dependencies: ["OrderCore", "OrderStorage", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        // Debian's cairo + pango (apt: libcairo2-dev, libpango1.0-dev) for PDF typesetting.
        .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]),
        // Debian's libcurl (apt: libcurl4-openssl-dev) as a system library.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // A C shim over libcurl's SMTP transfer (curl_easy_setopt is variadic: Swift cannot call it).
        .target(name: "CSMTP", dependencies: ["CCurl"]),
        // Invoice documents: one layout model, rendered as PDF (cairo/pango), HTML and Peppol UBL.
        .target(name: "OrderDocuments", dependencies: ["OrderCore", "CPangoCairo"]),
        // E-mail: RFC 5322/MIME messages, DKIM signing (swift-crypto), SMTP delivery (libcurl).
        .target(
            name: "OrderMail",
            dependencies: [
                "OrderCore", "CSMTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The command registry, transactions, events, outbox and ports.
        .target(
            name: "OrderEngine",
            dependencies: [
                "OrderCore", "OrderStorage", "OrderStore", "OrderStorePostgres", "OrderDocuments", "OrderMail",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // Debian's Lua 5.4 as a system library (apt: liblua5.4-dev).
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        // The C shim that owns every Lua call that can raise (no longjmp crosses Swift frames).
        .target(name: "CLuaBridge", dependencies: ["CLua"]),
        // The Lua host: sandbox, limits, the `oe` Lua API, workflow hooks.
        .target(
            name: "OrderScript",
            dependencies: ["OrderCore", "OrderEngine", "CLuaBridge"]
        ),
        // The public C header as a module, so the exports are checked against it at build time.
        .target(name: "COrderEngineABI", path: "Sources/COrderEngineABI"),
        // The C ABI: oe_* exports over the command registry (JSON in, JSON out).
        .target(name: "OrderEngineC", dependencies: ["OrderCore", "OrderEngine", "OrderScript", "COrderEngineABI"]),
        // `require "orderengine"` from a stock Lua 5.4 interpreter, on top of the C ABI.
        .target(name: "OrderEngineLua", dependencies: ["CLua", "COrderEngineABI", "CLuaBridge"]),
        // BSD libedit (apt: libedit-dev) for the REPL's line editing, history and completion.
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // Debian's libpq (apt: libpq-dev) as a system library, for the PostgreSQL store.
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // A synchronous libpq client: connections, prepared statements, transactions, SQLSTATE errors.
        .target(name: "PostgresClient", dependencies: ["CPostgres", "OrderCore"]),
        // The PostgreSQL store: migrations, number series, search, fresh databases per shop.
        .target(name: "OrderStorePostgres", dependencies: ["OrderCore", "OrderStorage", "PostgresClient"]),
        // The `oe` command line.
        .executableTarget(
            name: "oe",
            dependencies: [
                "OrderCore", "OrderEngine", "OrderScript", "CLuaBridge", "CEditLine", "PostgresClient", "OrderStorePostgres",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The libFuzzer harness for oe_call and the Lua value conversion (scripts/fuzz).
        .executableTarget(name: "oe-fuzz", dependencies: ["OrderCore", "OrderEngine", "OrderEngineC", "OrderScript"]),
        .testTarget(name: "OrderCoreTests", dependencies: ["OrderCore"]),
        .testTarget(name: "OrderStoreTests", dependencies: ["OrderCore", "OrderStore"]),
        .testTarget(name: "OrderEngineTests", dependencies: ["OrderCore", "OrderStore", "OrderEngine", "OrderEngineC", "PostgresClient", "OrderStorePostgres",
                                                             .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "OrderDocumentsTests", dependencies: ["OrderCore", "OrderDocuments"]),
        .testTarget(name: "OrderMailTests", dependencies: ["OrderCore", "OrderMail"]),
        .testTarget(name: "OrderScriptTests", dependencies: ["OrderCore", "OrderEngine", "OrderScript"], exclude: ["Hostile"]),
        .testTarget(name: "CLITests", dependencies: ["OrderCore", "OrderStore", "OrderStorePostgres", "PostgresClient", "oe", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient"]),
        .testTarget(name: "OrderStorePostgresTests", dependencies: ["OrderCore", "OrderStorage", "PostgresClient", "OrderStorePostgres",
                                                             "OrderStore", "OrderEngine", .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
