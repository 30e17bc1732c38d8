import Foundation

/// One benchmark job: a name matching the anchors' job, and what it runs.
struct BenchJob {
  var name: String
  var summary: String
  var run: (BenchOptions) throws -> Void
}

/// `--key value` options of a bench job.
struct BenchOptions {
  var values: [String: String] = [:]
  init(_ arguments: [String]) {
    var i = 0
    while i < arguments.count {
      let key = arguments[i].hasPrefix("--") ? String(arguments[i].dropFirst(2)) : arguments[i]
      if i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") {
        values[key] = arguments[i + 1]
        i += 2
      } else {
        values[key] = "true"
        i += 1
      }
    }
  }
  func string(_ key: String, default value: String) -> String { values[key] ?? value }
  func int(_ key: String, default value: Int) -> Int { values[key].flatMap(Int.init) ?? value }
}

/// Times `body` `runs` times; returns the seconds of each run.
func measure(runs: Int, _ body: () throws -> Void) rethrows -> [Double] {
  var seconds: [Double] = []
  for _ in 0..<max(1, runs) {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
  return seconds
}

/// Peak resident set size of this process so far, in MB (VmHWM), or nil off Linux.
func peakRSSMegabytes() -> Double? {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
    return nil
  }
  for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
    let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
    return kb / 1024
  }
  return nil
}

/// Prints one JSON line in the anchors' shape.
func emit(
  task: String, rows: Int, seconds: [Double], variant: String = "", results: [String: Any] = [:]
) {
  let sorted = seconds.sorted()
  var line: [String: Any] = [
    "task": task, "library": "biaskit", "rows": rows, "variant": variant,
    "seconds_median": sorted[sorted.count / 2], "seconds_min": sorted.first!,
    "seconds_all": seconds,
    "runs": seconds.count, "results": results,
  ]
  if let rss = peakRSSMegabytes() { line["peak_rss_mb"] = rss }
  let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
  print(String(decoding: data, as: UTF8.self))
}
