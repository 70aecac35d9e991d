#!/usr/bin/env bash
# Runs every test tier of Fluss.Lake: unit, cluster, process and interop tests, plus the architecture rules.
# Installs what the tests need on a fresh machine (idempotent), starts the services they talk to on loopback,
# builds the solution in Release and runs all test projects. Ends with a line "N passed, N failed".
#
# usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter Category=Unit]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# shellcheck source=scripts/prereqs.sh
source "$ROOT/scripts/prereqs.sh"
install_prereqs

LOG=$(mktemp -t fluss-test.XXXXXX)
trap 'rm -f "$LOG"' EXIT

echo "== restore and build (Release)"
dotnet build Fluss.Lake.sln -c Release -warnaserror 2>&1 | tail -n 3

echo "== tests"
set +e
dotnet test Fluss.Lake.sln -c Release --no-build "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test assemblies, from dotnet test's per-assembly summaries.
awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") { f += $(i+1) + 0 }
      if ($i == "Passed:") { p += $(i+1) + 0 }
      if ($i == "Skipped:") { s += $(i+1) + 0 }
    }
    n++
  }
  END {
    if (s > 0) printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s
    else printf "Tests: %d passed, %d failed\n", p, f
    if (n == 0) exit 1
  }
' "$LOG"
exit "$status"
