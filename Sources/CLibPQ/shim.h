// The system libpq (Debian: libpq-dev, headers in /usr/include/postgresql). See Package.swift
// for why BiasKit binds it directly instead of depending on postgres-nio.
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif
