import Testing
@testable import BiasKit

@Test func versionIsSet() { #expect(!BiasKit.version.isEmpty) }
