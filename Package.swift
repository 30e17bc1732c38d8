// swift-tools-version: 6.0
import PackageDescription

// The library is compiled with optimisation even in debug builds: `swift test` runs
// numerical work (k-NN, L-BFGS, bootstrap) on real data sets, and unoptimised Swift is
// 20-50x slower on such loops. Tests still use `@testable import` (SwiftPM keeps
// `-enable-testing` in debug).
let optimizedInDebug: [SwiftSetting] = [
  .unsafeFlags(["-O"], .when(configuration: .debug)),
  // Swift 5 language mode: the numeric kernels share raw buffers across
  // `DispatchQueue.concurrentPerform` workers, which Swift 6's checker cannot prove safe.
  .swiftLanguageMode(.v5),
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
    .target(name: "BiasKit", swiftSettings: optimizedInDebug),
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
