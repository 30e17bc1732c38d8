#!/usr/bin/env bash
# CI step: BiasKit as a dependency. Clones this checkout's HEAD into a temporary folder, tags it
# 0.1.0, writes a consumer package (Package.swift.template, main.swift) that depends on it by
# that tagged file:// URL, builds it and runs its ten-line audit of Examples/adult-predictions.csv.
# Fails when SwiftPM refuses the dependency (e.g. unsafe build flags) or the audit is wrong.
#
#   scripts/consumer/run.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$(mktemp -d /tmp/biaskit-consumer.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# The dependency: HEAD of this clone, with one version tag (other tags removed, so that
# `from: "0.1.0"` resolves to exactly this commit).
git clone --quiet --no-hardlinks "$ROOT" "$WORK/biaskit"
git -C "$WORK/biaskit" tag -l | xargs -r git -C "$WORK/biaskit" tag -d >/dev/null
git -C "$WORK/biaskit" tag 0.1.0 "$(git -C "$ROOT" rev-parse HEAD)"

mkdir -p "$WORK/consumer/Sources/consumer"
sed "s|@BIASKIT_URL@|file://$WORK/biaskit|" "$HERE/Package.swift.template" \
  >"$WORK/consumer/Package.swift"
cp "$HERE/main.swift" "$WORK/consumer/Sources/consumer/main.swift"

cd "$WORK/consumer"
swift build --product consumer 2>&1 | tail -3
OUT="$(swift run --skip-build consumer "$ROOT/Examples/adult-predictions.csv")"
echo "$OUT"
# The README's figure for the example's overall accuracy.
grep -qx "accuracy 0.8530188563356059" <<<"$OUT" || {
  echo "error: the consumer's audit did not print the expected accuracy" >&2
  exit 1
}
[ "$(wc -l <<<"$OUT")" -gt 2 ] || { echo "error: no group rows" >&2; exit 1; }
echo "consumer package: BiasKit resolved by a tagged file:// URL, built and audited"
