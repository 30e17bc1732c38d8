/// The estimates of one run, ready to render: one ``Estimate`` per estimator for the whole
/// sample and, with groups, one ``GroupEstimates`` per estimator.
///
/// ``json()`` is a stable contract (keys in this order):
///
///     { "estimand": "mean", "alpha": 0.1, "alternative": "two-sided",
///       "labelled_rows": 300, "unlabelled_rows": 1296,
///       "estimates": [ { "method": "ppi++", "biased": false, "lambda": 0.42,
///                        "labelled_rows": 300, "unlabelled_rows": 1296,
///                        "parameters": [ { "name": "mean", "estimate": …, "standard_error": …,
///                                          "lower": …, "upper": … } ], "notes": [] } ],
///       "groups": [ { "method": "ppi++", "groups": [ { "group": "a", …same as an estimate… } ],
///                     "differences": [ { "first": "a", "second": "b", "parameter": "mean",
///                                        "estimate": …, "standard_error": …, "lower": …, "upper": … } ] } ] }
///
/// Undefined numbers (a quantile's standard error, an infinite one-sided end) are `null`.
/// ``csv()`` has one row per coordinate: `section,method,group,parameter,estimate,
/// standard_error,lower,upper,lambda,labelled_rows,unlabelled_rows`, with section `overall`,
/// `group` or `difference` (group `a - b`).
public struct EstimationReport: Sendable {
  /// The estimand.
  public var estimand: Estimand
  /// The intervals' α and alternative.
  public var interval: ZInterval
  /// Rows of the whole sample.
  public var labelledCount: Int
  public var unlabelledCount: Int
  /// One estimate per estimator, on the whole sample.
  public var estimates: [Estimate]
  /// Per estimator, the estimates per group (empty without groups).
  public var grouped: [(method: EstimationMethod, groups: GroupEstimates)]

  public init(
    estimand: Estimand, interval: ZInterval, labelledCount: Int, unlabelledCount: Int,
    estimates: [Estimate], grouped: [(method: EstimationMethod, groups: GroupEstimates)] = []
  ) {
    self.estimand = estimand
    self.interval = interval
    self.labelledCount = labelledCount
    self.unlabelledCount = unlabelledCount
    self.estimates = estimates
    self.grouped = grouped
  }

  /// The report as JSON.
  public func json() -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("estimand", .string(estimand.description)),
      ("alpha", .number(interval.alpha)),
      ("alternative", .string(interval.alternative.rawValue)),
      ("labelled_rows", .integer(labelledCount)),
      ("unlabelled_rows", .integer(unlabelledCount)),
      ("estimates", .array(estimates.map { Self.json($0) })),
    ]
    if !grouped.isEmpty {
      fields.append(
        (
          "groups",
          .array(
            grouped.map { entry in
              .object([
                ("method", .string(entry.method.rawValue)),
                (
                  "groups",
                  .array(
                    entry.groups.groups.map { group in
                      .object([("group", .string(group.name))] + Self.fields(group.estimate))
                    })
                ),
                (
                  "differences",
                  .array(
                    entry.groups.differences.map { d in
                      .object([
                        ("first", .string(d.first)), ("second", .string(d.second)),
                        ("parameter", .string(d.parameter)), ("estimate", .number(d.value)),
                        ("standard_error", .number(d.standardError)),
                        ("lower", .number(d.interval.lower)), ("upper", .number(d.interval.upper)),
                      ])
                    })
                ),
              ])
            })
        ))
    }
    return .object(fields)
  }

  static func json(_ estimate: Estimate) -> JSONValue { .object(fields(estimate)) }

  static func fields(_ estimate: Estimate) -> [(String, JSONValue)] {
    var out: [(String, JSONValue)] = [
      ("method", .string(estimate.method.rawValue)),
      ("biased", .bool(estimate.isBiased)),
      ("lambda", .number(estimate.lambda)),
      ("labelled_rows", .integer(estimate.labelledCount)),
      ("unlabelled_rows", .integer(estimate.unlabelledCount)),
      (
        "parameters",
        .array(
          estimate.parameters.map { p in
            .object([
              ("name", .string(p.name)), ("estimate", .number(p.value)),
              ("standard_error", .number(p.standardError)),
              ("lower", .number(p.interval.lower)), ("upper", .number(p.interval.upper)),
            ])
          })
      ),
    ]
    if !estimate.strata.isEmpty {
      out.append(
        (
          "strata",
          .array(
            estimate.strata.map { s in
              .object(
                [("stratum", .string(s.name)), ("share", .number(s.share))] + fields(s.estimate))
            })
        ))
    }
    out.append(("notes", .array(estimate.notes.map { .string($0) })))
    return out
  }

  /// The report as CSV (one row per coordinate).
  public func csv() -> String {
    var lines = [
      "section,method,group,parameter,estimate,standard_error,lower,upper,lambda,labelled_rows,unlabelled_rows"
    ]
    func row(
      _ section: String, _ method: String, _ group: String, _ p: ParameterEstimate,
      _ e: Estimate
    ) -> String {
      [
        section, method, CSVText.escape(group), CSVText.escape(p.name), CSVText.number(p.value),
        CSVText.number(p.standardError), CSVText.number(p.interval.lower),
        CSVText.number(p.interval.upper), CSVText.number(e.lambda), String(e.labelledCount),
        String(e.unlabelledCount),
      ].joined(separator: ",")
    }
    for e in estimates {
      for p in e.parameters { lines.append(row("overall", e.method.rawValue, "", p, e)) }
    }
    for entry in grouped {
      for g in entry.groups.groups {
        for p in g.estimate.parameters {
          lines.append(row("group", entry.method.rawValue, g.name, p, g.estimate))
        }
      }
      for d in entry.groups.differences {
        lines.append(
          [
            "difference", entry.method.rawValue, CSVText.escape("\(d.first) - \(d.second)"),
            CSVText.escape(d.parameter), CSVText.number(d.value), CSVText.number(d.standardError),
            CSVText.number(d.interval.lower), CSVText.number(d.interval.upper), "", "", "",
          ].joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
