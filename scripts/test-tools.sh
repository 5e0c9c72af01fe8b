#!/usr/bin/env bash
# Tools the tests use beyond the services: the pinned npm tools of the OpenAPI document test and
# Debian's chromium for the browser test. Source it, then call ensure_openapi_tools / ensure_chromium.
# Both install only what is missing, so a machine that has them needs no network.

_tools_repo() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P; }
_tools_log() { printf '[tools] %s\n' "$*" >&2; }

# npm installs tests/OpenApiClient/package.json (exact versions, package-lock.json) into
# .local/openapi-tools. Skipped when that folder already holds this very lock file and the tools run.
ensure_openapi_tools() {
    local repo dir
    repo="$(_tools_repo)"
    dir="$repo/.local/openapi-tools"
    if [[ -x "$dir/node_modules/.bin/redocly" && -x "$dir/node_modules/.bin/openapi-typescript" && -x "$dir/node_modules/.bin/tsc" \
        && -f "$dir/node_modules/openapi-fetch/package.json" ]] && cmp -s "$repo/tests/OpenApiClient/package-lock.json" "$dir/package-lock.json"; then
        return 0
    fi
    command -v npm >/dev/null 2>&1 || { _tools_log "error: npm is not installed (the OpenAPI test needs Node.js 20+ and npm)"; return 1; }
    mkdir -p "$dir"
    cp "$repo/tests/OpenApiClient/package.json" "$repo/tests/OpenApiClient/package-lock.json" "$dir/"
    _tools_log "installing the OpenAPI test tools into $dir (npm ci; log: $repo/.local/openapi-tools.install.log)"
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >"$repo/.local/openapi-tools.install.log" 2>&1); then
        _tools_log "error: npm ci of the OpenAPI test tools failed (log: $repo/.local/openapi-tools.install.log)"
        return 1
    fi
}

# The browser test drives Debian's chromium through Playwright (no browser download).
ensure_chromium() {
    if command -v chromium >/dev/null 2>&1; then
        return 0
    fi
    if [[ "$(id -u)" -ne 0 ]]; then
        _tools_log "error: chromium is missing and only root can install it (apt-get install -y chromium)"
        return 1
    fi
    _tools_log "chromium is missing; installing the Debian package (apt-get)"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1 \
        || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1; }; }; then
        _tools_log "error: apt-get install chromium failed"
        return 1
    fi
}
