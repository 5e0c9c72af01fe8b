#!/usr/bin/env bash
# Benchmark of the send path (docs/benchmarks.md): starts PostgreSQL if needed,
# recreates the modular_bench database, builds the solution in Release, then
# runs tests/Benchmarks, which starts the built API against modular_bench with
# its own in-process SMTP sink, measures, prints a table and writes
# benchmark-results/bench-<UTC timestamp>.json.
#
#   ./bench.sh            full run (several minutes)
#   ./bench.sh --quick    smoke run (about a minute)
#   ./bench.sh --help     every option
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$REPO"

for arg in "$@"; do
    if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
        help_only=1
    fi
done

# shellcheck source=scripts/services.sh
source "$REPO/scripts/services.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [[ -z "${help_only:-}" ]]; then
    ensure_postgres
    recreate_database modular_bench
    # the mailbox of the inbound ingestion phase
    ensure_dovecot
    export MODULAR_BENCH_IMAP_PORT="$MODULAR_IMAP_PORT"
fi

echo "== dotnet build Modular.sln -c Release"
mkdir -p "$REPO/.local"
build_log="$REPO/.local/bench-build.log"
if ! dotnet build Modular.sln -c Release </dev/null >"$build_log" 2>&1; then
    cat "$build_log"
    echo "bench.sh: the build failed (output above, also in .local/bench-build.log)" >&2
    exit 1
fi

export MODULAR_BENCH_DATABASE
MODULAR_BENCH_DATABASE="$(pg_connection_string modular_bench)"
export MODULAR_BENCH_API_DLL="$REPO/src/Api/bin/Release/net10.0/Modular.Api.dll"
export MODULAR_BENCH_OUTPUT="$REPO/benchmark-results"
export MODULAR_BENCH_COMMIT
MODULAR_BENCH_COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null || true)" ]]; then
    MODULAR_BENCH_COMMIT="$MODULAR_BENCH_COMMIT+changes"
fi

exec dotnet run -c Release --no-build --project tests/Benchmarks -- "$@"
