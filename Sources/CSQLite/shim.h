// The system SQLite (Debian: libsqlite3-dev). See Package.swift for why BiasKit binds it
// directly instead of depending on GRDB or sqlite-nio.
#include <sqlite3.h>
