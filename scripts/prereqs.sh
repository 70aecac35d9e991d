#!/usr/bin/env bash
# Installs what Fluss.Lake's build and tests need, idempotently. Sourced by scripts/test.sh.

apt_install() { # installs the Debian packages that are missing
  local need=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  [ ${#need[@]} -eq 0 ] && return 0
  echo "== installing Debian packages: ${need[*]}"
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
}

install_prereqs() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET SDK 10 (dotnet) is required; install it and run again." >&2
    exit 1
  fi
  # Interop tests decode our Paimon manifests with Python's avro module (zstandard codec).
  # Tests of the lake tiering service start their own private PostgreSQL servers (Hangfire's job store) from the
  # postgresql package's binaries, in temp directories on free loopback ports, as the postgres OS user when run as
  # root. The system cluster the package may create and start on port 5432 is neither used nor in their way.
  # The Arrow log compresses with the system's libzstd (libzstd.so.1); its tests check that it loads.
  apt_install python3-avro python3-zstandard postgresql libzstd1
}
