// The system zlib (Debian: zlib1g-dev), for Parquet's GZIP pages. See Package.swift for why
// BiasKit binds the C library rather than writing inflate by hand.
#include <zlib.h>
