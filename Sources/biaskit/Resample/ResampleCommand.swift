import ArgumentParser
import BiasKit
import Foundation

/// `biaskit resample METHOD`: rebalances the classes of a data set with one of imbalanced-learn's
/// samplers, from CSV or NumPy `.npy` files, and prints the class counts before and after.
///
///     biaskit resample smote --input data.csv --target y --output out.csv
///     biaskit resample smote --x X.npy --y y.npy --output-x Xr.npy --output-y yr.npy --format json
///     biaskit resample tomek-links --x X.npy --y y.npy --output-x Xr.npy --output-y yr.npy --indices kept.npy
struct ResampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resample",
    abstract:
      "Rebalance classes with SMOTE, its variants, or an under-sampler (imbalanced-learn 0.14).",
    discussion: """
      The original rows come first and unchanged in the output (over-samplers), or the kept rows \
      in imbalanced-learn's order (under-samplers); --indices writes which input row each output \
      row came from (-1 for a synthetic row). Every output file is written atomically.
      """)

  @Argument(help: "The sampler (imbalanced-learn class names in kebab case).")
  var method: ResampleMethod

  @OptionGroup var input: ResampleInputOptions
  @OptionGroup var sampler: ResampleSamplerOptions
  @OptionGroup var output: ResampleOutputOptions

  mutating func validate() throws {
    try input.validate()
    try output.validate(csv: input.input != nil)
  }

  func run() throws {
    try OutputPaths.check(inputs: input.files, outputs: output.files)
    for text in sampler.unusedOptions(for: method) { warn(text) }
    let data = try input.load(allCategorical: method == .smoteN)
    let resampler = try sampler.make(method, categoricalColumns: data.categoricalColumns)
    let rows = try LabeledRows(features: data.features, labels: data.labels)
    let result: Resampled
    if let groups = data.groups {
      result = try GroupwiseResampling(base: resampler).fitResample(
        rows, groups: groups.codes, groupNames: groups.names, seed: sampler.seed)
    } else {
      result = try resampler.fitResample(rows, seed: sampler.seed)
    }
    try output.write(result, data: data)
    output.printSummary(
      method: method, before: rows.stats, after: result.stats(from: data.labels), data: data,
      result: result)
  }
}

/// The samplers the command offers, named as imbalanced-learn's classes in kebab case.
enum ResampleMethod: String, CaseIterable, ExpressibleByArgument {
  case smote
  case smoteNC = "smote-nc"
  case smoteN = "smote-n"
  case borderlineSmote1 = "borderline-smote-1"
  case borderlineSmote2 = "borderline-smote-2"
  case adasyn
  case randomOver = "random-over"
  case randomUnder = "random-under"
  case tomekLinks = "tomek-links"
  case editedNearestNeighbours = "enn"
  case repeatedEditedNearestNeighbours = "renn"
  case allKNN = "all-knn"
  case nearMiss1 = "near-miss-1"
  case nearMiss2 = "near-miss-2"
  case nearMiss3 = "near-miss-3"
  case neighbourhoodCleaningRule = "ncr"
  case condensedNearestNeighbour = "condensed-nn"
  case oneSidedSelection = "one-sided-selection"
  case clusterCentroids = "cluster-centroids"
  case smoteTomek = "smote-tomek"
  case smoteENN = "smote-enn"
}

struct ResampleSamplerOptions: ParsableArguments {
  @Option(
    help:
      "Neighbours (imbalanced-learn k_neighbors / n_neighbors; default: the sampler's own, 5 for the SMOTE family, 3 for the under-samplers)."
  )
  var kNeighbors: Int?

  @Option(
    help:
      "auto, minority, majority, not-minority, not-majority, all, a ratio in (0, 1], per-class counts (0:500,1:500) or, for cleaning samplers, classes:0,2."
  )
  var samplingStrategy: String = "auto"

  @Option(
    name: .customLong("seed"), parsing: .unconditional,
    help:
      "Seed of the random generator (randomized samplers; an integer from 0 to 2^64 - 1; default 0)."
  )
  var seedOption: UInt64?

  /// The seed (0 unless given).
  var seed: UInt64 { seedOption ?? 0 }

  @Option(
    name: .customLong("kind-sel"),
    help:
      "Edited nearest neighbours (enn, renn, all-knn): keep a row when 'all' its neighbours share its class, or the 'mode' does (default: all)."
  )
  var kindSelOption: String?

  var kindSel: String { kindSelOption ?? "all" }

  @Option(help: "RandomOverSampler shrinkage (smoothed bootstrap); omit for plain duplication.")
  var shrinkage: Double?

  /// Options given that `method` does not use: each is ignored, with a warning.
  func unusedOptions(for method: ResampleMethod) -> [String] {
    var unused: [String] = []
    let edited: Set<ResampleMethod> = [
      .editedNearestNeighbours, .repeatedEditedNearestNeighbours, .allKNN,
    ]
    if kindSelOption != nil && !edited.contains(method) {
      unused.append("--kind-sel applies to enn, renn and all-knn; \(method.rawValue) ignores it")
    }
    if shrinkage != nil && method != .randomOver {
      unused.append("--shrinkage applies to random-over; \(method.rawValue) ignores it")
    }
    let withoutNeighbours: Set<ResampleMethod> = [.randomOver, .randomUnder, .clusterCentroids]
    if kNeighbors != nil && withoutNeighbours.contains(method) {
      unused.append("--k-neighbors does not apply to \(method.rawValue), which uses no neighbours")
    }
    let deterministic: Set<ResampleMethod> = [
      .tomekLinks, .editedNearestNeighbours, .repeatedEditedNearestNeighbours, .allKNN,
      .nearMiss1, .nearMiss2, .nearMiss3, .neighbourhoodCleaningRule,
    ]
    if seedOption != nil && deterministic.contains(method) {
      unused.append("--seed does not apply to \(method.rawValue), which draws no random numbers")
    }
    return unused
  }

  func make(_ method: ResampleMethod, categoricalColumns: [Int]) throws -> any Resampler {
    let strategy = try SamplingStrategy(parsing: samplingStrategy)
    let selection: EditedNearestNeighbours.Selection
    switch kindSel {
    case "all": selection = .all
    case "mode": selection = .mode
    default:
      throw BiasKitError(.invalidArgument, "--kind-sel must be 'all' or 'mode'; got '\(kindSel)'")
    }
    if let k = kNeighbors, k < 1 {
      throw BiasKitError(.invalidArgument, "--k-neighbors must be at least 1; got \(k)")
    }
    if method != .smoteNC && method != .smoteN && !categoricalColumns.isEmpty {
      throw BiasKitError(
        .invalidArgument,
        "--categorical is used by smote-nc only; \(method.rawValue) needs numeric features")
    }
    switch method {
    case .smote: return SMOTE(strategy: strategy, neighborCount: kNeighbors ?? 5)
    case .smoteNC:
      guard !categoricalColumns.isEmpty else {
        throw BiasKitError(.invalidArgument, "smote-nc needs --categorical COLUMNS")
      }
      return SMOTENC(
        categoricalColumns: categoricalColumns, strategy: strategy, neighborCount: kNeighbors ?? 5)
    case .smoteN: return SMOTEN(strategy: strategy, neighborCount: kNeighbors ?? 5)
    case .borderlineSmote1:
      return BorderlineSMOTE(strategy: strategy, kind: .borderline1, neighborCount: kNeighbors ?? 5)
    case .borderlineSmote2:
      return BorderlineSMOTE(strategy: strategy, kind: .borderline2, neighborCount: kNeighbors ?? 5)
    case .adasyn: return ADASYN(strategy: strategy, neighborCount: kNeighbors ?? 5)
    case .randomOver: return RandomOverSampler(strategy: strategy, shrinkage: shrinkage)
    case .randomUnder: return RandomUnderSampler(strategy: strategy)
    case .tomekLinks: return TomekLinks(strategy: strategy)
    case .editedNearestNeighbours:
      return EditedNearestNeighbours(
        strategy: strategy, neighborCount: kNeighbors ?? 3, selection: selection)
    case .repeatedEditedNearestNeighbours:
      return RepeatedEditedNearestNeighbours(
        strategy: strategy, neighborCount: kNeighbors ?? 3, selection: selection)
    case .allKNN:
      return AllKNN(strategy: strategy, neighborCount: kNeighbors ?? 3, selection: selection)
    case .nearMiss1:
      return NearMiss(strategy: strategy, version: .one, neighborCount: kNeighbors ?? 3)
    case .nearMiss2:
      return NearMiss(strategy: strategy, version: .two, neighborCount: kNeighbors ?? 3)
    case .nearMiss3:
      return NearMiss(strategy: strategy, version: .three, neighborCount: kNeighbors ?? 3)
    case .neighbourhoodCleaningRule:
      return NeighbourhoodCleaningRule(strategy: strategy, neighborCount: kNeighbors ?? 3)
    case .condensedNearestNeighbour:
      return CondensedNearestNeighbour(strategy: strategy, neighborCount: kNeighbors ?? 1)
    case .oneSidedSelection:
      return OneSidedSelection(strategy: strategy, neighborCount: kNeighbors ?? 1)
    case .clusterCentroids: return ClusterCentroids(strategy: strategy)
    case .smoteTomek:
      return SMOTETomek(smote: SMOTE(strategy: strategy, neighborCount: kNeighbors ?? 5))
    case .smoteENN:
      return SMOTEENN(smote: SMOTE(strategy: strategy, neighborCount: kNeighbors ?? 5))
    }
  }
}
