// A ten-line audit through BiasKit's public API (the README's example), built by a package
// that depends on BiasKit by a tagged URL. Prints the overall accuracy and each group's
// selection rate; scripts/consumer/run.sh checks the accuracy against the README's figure.
import BiasKit

var request = AuditRequest(
  source: .file(CommandLine.arguments[1]),
  columns: AuditColumns(yTrue: "y_true", yPred: "y_pred", sensitive: ["sex", "race"]))
request.metrics = [.accuracy, .selectionRate]
let frame = try request.evaluated().report.frame
print("accuracy", frame.overall(.accuracy) ?? .nan)
for group in 0..<frame.groupCount {
  print(
    frame.groupKey(group).joined(separator: ","), frame.value(.selectionRate, group: group) ?? .nan)
}
