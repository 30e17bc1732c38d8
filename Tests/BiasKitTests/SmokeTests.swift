import Foundation
import Testing

@testable import BiasKit

@Test func versionIsSet() { #expect(!BiasKit.version.isEmpty) }

@Test func cliPrintsItsVersion() throws {
  let result = try CLI.run(["--version"])
  #expect(result.status == 0)
  #expect(result.stdout.contains(BiasKit.version))
}
