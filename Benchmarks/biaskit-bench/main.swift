import BiasKit
import Foundation

/// `biaskit-bench JOB [options]`: times one job of `../shared/anchors` in this process and prints
/// one JSON line (`task`, `library: "biaskit"`, `rows`, `seconds_median`, `seconds_all`, `results`).
/// Each capability registers its jobs in its own file (`AuditBench.swift`, …).
let allJobs: [BenchJob] =
  AuditBench.jobs + MitigationBench.jobs + ResamplingBench.jobs
  + EmbeddingsBench.jobs + ParquetBench.jobs + LanguageModelsBench.jobs + EstimationBench.jobs
  + LearnersBench.jobs
  + RankingBench.jobs

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let job = allJobs.first(where: { $0.name == name }) else {
  print("usage: biaskit-bench JOB [options]\njobs:")
  for job in allJobs { print("  \(job.name): \(job.summary)") }
  exit(arguments.isEmpty ? 0 : 2)
}
do {
  try job.run(BenchOptions(Array(arguments.dropFirst())))
} catch {
  FileHandle.standardError.write(Data("biaskit-bench: \(error)\n".utf8))
  exit(2)
}
