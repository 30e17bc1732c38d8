#!/usr/bin/env bash
# Checks the BiasKit library against the Swift 6 language mode without changing Package.swift:
# compiles its sources to SIL with -swift-version 6 (where the data-race checks run) and lists
# the errors per file. The library target stays in Swift 5 mode until this prints no errors
# (Package.swift says which folders remain).
#
#   scripts/ci/check_swift6.sh            # summary per file
#   scripts/ci/check_swift6.sh --verbose  # every diagnostic
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG=$(mktemp /tmp/biaskit-swift6.XXXXXX)
trap 'rm -f "$LOG"' EXIT
INCLUDES=()
for dir in /usr/include/postgresql /opt/homebrew/include /usr/local/include; do
  [ -d "$dir" ] && INCLUDES+=(-I "$dir")
done
find Sources/BiasKit -name '*.swift' -print0 | xargs -0 swiftc -emit-sil -Onone -wmo -o /dev/null \
  -swift-version 6 -module-name BiasKit -parse-as-library \
  -Xcc -fmodule-map-file=Sources/CSQLite/module.modulemap \
  -Xcc -fmodule-map-file=Sources/CLibPQ/module.modulemap \
  -Xcc -fmodule-map-file=Sources/CZlib/module.modulemap "${INCLUDES[@]}" >"$LOG" 2>&1 || true
if [ "${1:-}" = "--verbose" ]; then cat "$LOG"; fi
ERRORS=$(grep -E '^Sources/.*: error:' "$LOG" | sort -u || true)
if [ -z "$ERRORS" ]; then
  echo "Swift 6 language mode: no errors in Sources/BiasKit"
  exit 0
fi
echo "Swift 6 language mode: errors per file"
echo "$ERRORS" | cut -d: -f1 | sort | uniq -c | sort -rn
exit 1
