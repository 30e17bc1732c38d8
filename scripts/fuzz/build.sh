#!/bin/sh
# Builds the libFuzzer binary for every BiasKit parser target (see README.md).
#   scripts/fuzz/build.sh [output folder]      (default /work/fuzz-build; never inside the repo)
# The library sources are compiled straight into the fuzzer with coverage and AddressSanitizer;
# the system-library modules (CSQLite, CLibPQ) are found through their module maps.
set -eu
cd "$(dirname "$0")/../.."
OUT=${1:-/work/fuzz-build}
mkdir -p "$OUT/module-cache"
# Compile a snapshot: other people may be editing the tree while this builds.
rm -rf "$OUT/src" && mkdir -p "$OUT/src" && cp -R Sources/BiasKit scripts/fuzz/FuzzTargets.swift "$OUT/src/"
PQ_CFLAGS=$(pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
# shellcheck disable=SC2046
swiftc -O -g -sanitize=fuzzer,address -parse-as-library -swift-version 5 \
  -module-name BiasKit -package-name BiasKit -module-cache-path "$OUT/module-cache" \
  -I Sources/CSQLite -I Sources/CLibPQ -I Sources/CZlib -Xcc $PQ_CFLAGS -lsqlite3 -lpq -lz \
  $(find "$OUT/src/BiasKit" -name '*.swift' | sort) "$OUT/src/FuzzTargets.swift" \
  -o "$OUT/biaskit-fuzz"
echo "built $OUT/biaskit-fuzz"
