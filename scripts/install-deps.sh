#!/usr/bin/env bash
# Installs the system packages the build needs when they are missing: a C compiler (bundled
# SQLite), pkg-config, libpq's headers (diesel's PostgreSQL backend links libpq) and OpenSSL's
# (TLS). Uses
# apt-get where it can (as root, on Debian or Ubuntu); otherwise says what to install.
set -euo pipefail

missing=()
command -v cc >/dev/null || missing+=(gcc libc6-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
if ! pkg-config --exists libpq 2>/dev/null && [ ! -e /usr/include/postgresql/libpq-fe.h ]; then
    missing+=(libpq-dev)
fi
if ! pkg-config --exists openssl 2>/dev/null && [ ! -e /usr/include/openssl/ssl.h ]; then
    missing+=(libssl-dev)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
    echo "missing system packages: ${missing[*]} (Debian/Ubuntu names); install them and run again" >&2
    exit 1
fi
