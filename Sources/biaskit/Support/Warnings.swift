import Foundation

/// Prints `biaskit: warning: TEXT` on standard error: an option given that does not apply (it
/// is ignored), or a result that is valid but vacuous.
func warn(_ text: String) {
  FileHandle.standardError.write(Data("biaskit: warning: \(text)\n".utf8))
}
