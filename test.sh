#!/usr/bin/env bash
# Starts what the tests need (private PostgreSQL, MailDev, Dovecot), recreates the
# modular_test database, builds the solution and runs every test project under
# tests/. The very last line of output is always "N passed, N failed".
# Exit 0 only when nothing failed and every test project produced results.
# Extra arguments are passed to every `dotnet test` (e.g. --filter ...).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$REPO"

RESULTS="$REPO/.local/test-results"
summary_printed=0

# Whatever stops the script early, the last line is still a summary.
on_exit() {
    local rc=$?
    if [[ "$summary_printed" == 0 ]]; then
        echo "test.sh: stopped before running the tests (exit code $rc)" >&2
        echo "0 passed, 1 failed"
    fi
}
trap on_exit EXIT

# shellcheck source=scripts/services.sh
source "$REPO/scripts/services.sh"
# shellcheck source=scripts/test-tools.sh
source "$REPO/scripts/test-tools.sh"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

ensure_postgres
ensure_maildev
ensure_dovecot
ensure_python_dkim
# Without these two only their own tests fail (with a message saying what is missing); the rest still run.
ensure_openapi_tools || echo "test.sh: the OpenAPI test tools could not be installed: the OpenAPI document tests will fail" >&2
ensure_chromium || echo "test.sh: chromium could not be installed: the browser tests will fail" >&2
recreate_database modular_test
recreate_database modular_test_defaults
recreate_database modular_test_restart
recreate_database modular_test_ratelimit
# Service processes with settings of their own get databases of their own (their job servers
# would otherwise deliver each other's messages).
recreate_database modular_test_attachments
recreate_database modular_test_relays
recreate_database modular_test_limits
recreate_database modular_test_races
recreate_database modular_test_inbound
recreate_database modular_test_keys
recreate_database modular_test_browser

export ConnectionStrings__Database
ConnectionStrings__Database="$(pg_connection_string modular_test)"
export Smtp__Host=127.0.0.1
export Smtp__Port="$MODULAR_SMTP_PORT"
export MailDev__ApiUrl="http://127.0.0.1:$MODULAR_MAILDEV_WEB_PORT"
export Dovecot__Port="$MODULAR_IMAP_PORT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Prints the value of counter ATTR (passed, failed, ...) of the first
# <Counters .../> element of a .trx file, or 0.
trx_counter() {
    local file="$1" attr="$2" value
    value="$(tr '\r\n\t' '   ' <"$file" \
        | grep -o '<Counters[[:space:]][^>]*>' | head -n 1 \
        | grep -o "[[:space:]]$attr=\"[0-9]*\"" | head -n 1 \
        | grep -o '[0-9][0-9]*' || true)"
    printf '%s\n' "${value:-0}"
}

echo "== dotnet build Modular.sln -c Release"
build_log="$REPO/.local/build.log"
if ! dotnet build Modular.sln -c Release </dev/null >"$build_log" 2>&1; then
    cat "$build_log"
    echo "test.sh: the build failed (output above, also in .local/build.log)" >&2
    summary_printed=1
    echo "0 passed, 1 failed"
    exit 1
fi
grep -E '^[[:space:]]*[0-9]+ (Warning|Error)\(s\)|Time Elapsed' "$build_log" || true

projects=()
if ! sln_list="$(dotnet sln Modular.sln list 2>&1)"; then
    printf '%s\n' "$sln_list" >&2
    echo "test.sh: 'dotnet sln Modular.sln list' failed" >&2
    exit 1
fi
# (the listing may name a project more than once: keep the first)
while IFS= read -r proj; do
    projects+=("$proj")
done < <(printf '%s\n' "$sln_list" | tr '\\' '/' | sed -e 's/\r$//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
    | grep -E '^tests/.+\.csproj$' | grep -viE '^tests/Benchmarks/' | awk '!seen[$0]++' || true)

penalties=0
if [[ ${#projects[@]} -eq 0 ]]; then
    echo "test.sh: no test projects under tests/ in Modular.sln" >&2
    penalties=1
fi

for proj in "${projects[@]}"; do
    name="$(basename "$proj" .csproj)"
    trx="$RESULTS/$name.trx"
    echo
    echo "== dotnet test $proj"
    rc=0
    dotnet test "$proj" --no-build -c Release \
        --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" "$@" </dev/null || rc=$?
    if [[ ! -s "$trx" ]]; then
        echo "test.sh: $name exited with code $rc and wrote no $name.trx: counted as 1 failed" >&2
        penalties=$((penalties + 1))
    elif [[ $rc -ne 0 && "$(trx_counter "$trx" failed)" -eq 0 ]]; then
        echo "test.sh: $name exited with code $rc but its trx reports no failed test: counted as 1 failed" >&2
        penalties=$((penalties + 1))
    fi
done

passed=0
failed=0
while IFS= read -r -d '' trx; do
    passed=$((passed + $(trx_counter "$trx" passed)))
    failed=$((failed + $(trx_counter "$trx" failed)))
done < <(find "$RESULTS" -type f -name '*.trx' -print0)
failed=$((failed + penalties))

echo
summary_printed=1
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
