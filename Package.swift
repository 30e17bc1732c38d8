// swift-tools-version: 6.0
import PackageDescription

// No `unsafeFlags` (issue #18.1): SwiftPM refuses them in any versioned dependency, so a package
// depending on BiasKit by URL could not resolve. Unoptimised, the suites of numerical work on
// real data sets (Adult, COMPAS/German, the 26k-word embedding) take many minutes, so they carry
// the `.heavy` trait (Tests/BiasKitTests/Support/TestSupport.swift): `swift test` skips them in
// a debug build (BIASKIT_HEAVY_TESTS=1 runs them), `swift test -c release` runs them, as
// `.ci/run` does.
//
// The library stays in the Swift 5 language mode for now: the numeric kernels share raw buffers
// across `DispatchQueue.concurrentPerform` workers (k-NN, bootstrap, the audit's counting pass,
// the Parquet page decoder), which Swift 6's checker cannot prove safe without restructuring
// each kernel; `scripts/ci/check_swift6.sh` counts the remaining diagnostics. New code is
// written concurrency-safe (Sendable values, no shared mutable globals).
let libraryMode: [SwiftSetting] = [
  .swiftLanguageMode(.v5)
]

let package = Package(
  name: "BiasKit",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "BiasKit", targets: ["BiasKit"]),
    .executable(name: "biaskit", targets: ["biaskit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // Databases (Sources/BiasKit/Database/): thin bindings to the system's C client libraries
    // rather than GRDB / sqlite-nio / postgres-nio. The audit sends one GROUP BY and reads back
    // a few thousand rows, so it needs prepared statements, bound parameters, COPY and libpq's
    // own handling of PGPASSWORD, ~/.pgpass, sslmode=prefer and connect_timeout — all in the C
    // libraries — and none of an async driver's machinery. On this 2-core machine GRDB adds
    // ~75 s and postgres-nio (with swift-nio, swift-crypto, swift-log…) ~350 s to a clean
    // build; the system libraries add nothing (Debian: libsqlite3-dev, libpq-dev).
    .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                   providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
    .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                   providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),
    // Parquet / Arrow (Sources/BiasKit/Data/Sources/Parquet, Support/Compression): zlib for GZIP
    // pages, bound like the databases (Debian: zlib1g-dev). Snappy and LZ4 are written by hand;
    // ZSTD is loaded at run time with dlopen (the machines have libzstd.so.1 but not its headers),
    // so no other C library is needed to build.
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                   providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
    .target(
      name: "BiasKit", dependencies: ["CSQLite", "CLibPQ", "CZlib"], swiftSettings: libraryMode
    ),
    .executableTarget(
      name: "biaskit",
      dependencies: [
        "BiasKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: [.swiftLanguageMode(.v5)]
    ),
    .executableTarget(
      name: "biaskit-bench",
      dependencies: ["BiasKit"],
      path: "Benchmarks/biaskit-bench",
      swiftSettings: [.swiftLanguageMode(.v5)]
    ),
    .testTarget(
      name: "BiasKitTests",
      dependencies: ["BiasKit", "biaskit"],
      resources: [.copy("Fixtures")],
      swiftSettings: [.swiftLanguageMode(.v5)]
    ),
  ]
)
