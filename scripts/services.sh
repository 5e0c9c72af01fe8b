# shellcheck shell=bash
# Local services for Modular (DESIGN.md section 4): a private PostgreSQL
# cluster and MailDev. Source this file from bash; it is safe under
# `set -euo pipefail` and defines functions only (no side effects on source).
#
#   ensure_postgres            start the private cluster when it is not up
#   ensure_database NAME       create database NAME when missing
#   recreate_database NAME     drop (WITH (FORCE)) and create database NAME
#   pg_connection_string NAME  print the Npgsql connection string for NAME
#   ensure_maildev             install and start MailDev when it is not up
#   ensure_dovecot             install (apt) and start a private Dovecot IMAP server when it is not up
#   stop_dovecot               stop this checkout's Dovecot
#   ensure_python_dkim         install Debian's python3-dkim (the tests' independent
#                              DKIM verifier, run by /usr/bin/python3) when missing
#
# Settings (environment):
#   MODULAR_PG_PORT           PostgreSQL port          (default 55432)
#   MODULAR_SMTP_PORT         MailDev SMTP port        (default 1025)
#   MODULAR_MAILDEV_WEB_PORT  MailDev web/REST port    (default 1080)
#   MODULAR_IMAP_PORT         Dovecot IMAP port        (default 1143)
#
# Dovecot's IMAP users (passwd-file, plain passwords, for development and tests only):
#   modular / modular   (tests: each test works in a folder of its own)
#   demo / demo         (./run.sh: the demo channel's mailbox)
#
# Only this checkout's own services are ever used: a PostgreSQL already up is
# reused only when it serves this checkout's data directory, a MailDev only
# when it is the one this checkout started. When this checkout's service runs
# on other ports it is used there (the variables above are updated). When a
# port is taken by something else, a port given in the environment is an
# error, and a default port moves to the next free one.
#
# Progress messages go to stderr, prefixed with "[services]".

if [[ -z "${REPO:-}" ]]; then
    REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
fi
# set to 1 when the caller chose the port (then it is never moved)
_SVC_PG_PORT_GIVEN="${MODULAR_PG_PORT:+1}"
_SVC_MAILDEV_PORTS_GIVEN="${MODULAR_SMTP_PORT:+1}${MODULAR_MAILDEV_WEB_PORT:+1}"
_SVC_IMAP_PORT_GIVEN="${MODULAR_IMAP_PORT:+1}"
MODULAR_PG_PORT="${MODULAR_PG_PORT:-55432}"
MODULAR_SMTP_PORT="${MODULAR_SMTP_PORT:-1025}"
MODULAR_MAILDEV_WEB_PORT="${MODULAR_MAILDEV_WEB_PORT:-1080}"
MODULAR_IMAP_PORT="${MODULAR_IMAP_PORT:-1143}"
MODULAR_MAILDEV_VERSION="3.0.0"

_svc_log() { printf '[services] %s\n' "$*" >&2; }
_svc_die() { printf '[services] error: %s\n' "$*" >&2; return 1; }

_svc_is_root() { [[ "$(id -u)" -eq 0 ]]; }

# true when something accepts TCP connections on 127.0.0.1:PORT
_svc_port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Prints the first port from START on (at most 200 further) where nothing listens.
_svc_free_port() {
    local port="$1" last=$(( $1 + 200 ))
    while (( port <= last )); do
        if ! _svc_port_open "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
        port=$(( port + 1 ))
    done
    _svc_die "no free port between $1 and $last"
}

# ---------------------------------------------------------------- PostgreSQL

# Sets PG_BIN to the newest /usr/lib/postgresql/<major>/bin with major >= 15,
# installing the Debian package when root and nothing is found.
_pg_find_bin() {
    if [[ -n "${PG_BIN:-}" && -x "${PG_BIN}/pg_ctl" ]]; then return 0; fi
    local best="" best_major=0 dir major
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/pg_ctl" && -x "$dir/initdb" ]] || continue
        major="$(basename "$(dirname "$dir")")"
        [[ "$major" =~ ^[0-9]+$ ]] || continue
        if (( major >= 15 && major > best_major )); then
            best="$dir"; best_major="$major"
        fi
    done
    if [[ -n "$best" ]]; then PG_BIN="$best"; return 0; fi
    if [[ "${_PG_INSTALL_TRIED:-}" == 1 ]]; then
        _svc_die "PostgreSQL 15+ binaries still not found under /usr/lib/postgresql/*/bin after apt-get install postgresql"
        return 1
    fi
    if _svc_is_root; then
        _svc_log "PostgreSQL binaries not found; installing the Debian package 'postgresql' (apt-get)"
        _PG_INSTALL_TRIED=1
        if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
               && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }; then
            _svc_die "apt-get install postgresql failed"
            return 1
        fi
        _pg_find_bin
        return
    fi
    _svc_die "PostgreSQL 15+ is not installed (no /usr/lib/postgresql/*/bin/pg_ctl) and this is not root: run 'sudo apt-get install -y postgresql' and retry"
}

# Run a command as the cluster owner: `postgres` when root, else the current
# user. Runs from / so the owner never needs access to the caller's cwd.
_pg_as_owner() {
    if _svc_is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Sets PG_BASE (folder owned by the cluster owner holding data/, run/, log).
_pg_choose_base() {
    if [[ -n "${PG_BASE:-}" ]]; then return 0; fi
    local preferred="$REPO/.local/pg"
    mkdir -p "$preferred" 2>/dev/null || true
    if _svc_is_root && [[ -d "$preferred" ]]; then
        if ! id postgres >/dev/null 2>&1; then
            _svc_die "running as root but there is no 'postgres' user to own the cluster (install the 'postgresql' package)"
            return 1
        fi
        chown postgres: "$preferred" 2>/dev/null || true
        chmod 700 "$preferred" 2>/dev/null || true
    fi
    if [[ -d "$preferred" ]] && _pg_as_owner test -w "$preferred" -a -x "$preferred" 2>/dev/null; then
        PG_BASE="$preferred"
        return 0
    fi
    local hash fallback
    hash="$(printf '%s' "$REPO" | sha256sum | cut -c1-16)"
    fallback="/var/tmp/modular-pg-$hash"
    mkdir -p "$fallback"
    if _svc_is_root; then chown postgres: "$fallback"; fi
    chmod 700 "$fallback"
    _svc_log "the cluster owner cannot use $preferred; using $fallback for the PostgreSQL data instead"
    PG_BASE="$fallback"
}

# Directory for the Unix socket; socket paths are limited to ~107 bytes.
_pg_socket_dir() {
    local dir="$PG_BASE/run"
    if (( ${#dir} + 20 > 100 )); then
        dir="/tmp/modular-pg-$(printf '%s' "$PG_BASE" | sha256sum | cut -c1-12)"
    fi
    _pg_as_owner mkdir -p "$dir" 2>/dev/null || {
        mkdir -p "$dir"
        if _svc_is_root; then chown postgres: "$dir"; fi
    }
    printf '%s\n' "$dir"
}

_pg_ready() {
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$MODULAR_PG_PORT" >/dev/null 2>&1
}

# Prints the port of this checkout's cluster when it is running (from its postmaster.pid).
_pg_own_running_port() {
    local data="$PG_BASE/data" pid port
    [[ -s "$data/postmaster.pid" ]] || return 1
    pid="$(sed -n 1p "$data/postmaster.pid" 2>/dev/null)"
    port="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null)"
    [[ "$pid" =~ ^[0-9]+$ && "$port" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    printf '%s\n' "$port"
}

ensure_postgres() {
    _pg_find_bin || return 1
    _pg_choose_base || return 1
    local data="$PG_BASE/data" log="$PG_BASE/postgres.log" sock major own_port
    if own_port="$(_pg_own_running_port)"; then
        if [[ "$own_port" != "$MODULAR_PG_PORT" ]]; then
            if [[ -n "$_SVC_PG_PORT_GIVEN" ]]; then
                _svc_die "this checkout's PostgreSQL ($data) runs on port $own_port, not MODULAR_PG_PORT=$MODULAR_PG_PORT; stop it or use that port"
                return 1
            fi
            MODULAR_PG_PORT="$own_port"
        fi
        local i
        for ((i = 0; i < 60; i++)); do
            if _pg_ready; then
                _svc_log "PostgreSQL is up on 127.0.0.1:$MODULAR_PG_PORT ($data)"
                return 0
            fi
            sleep 1
        done
        _svc_die "this checkout's PostgreSQL ($data) runs but does not answer on 127.0.0.1:$MODULAR_PG_PORT"
        return 1
    fi
    if _svc_port_open "$MODULAR_PG_PORT"; then
        # Not ours (ours is not running): never use, let alone drop databases of, another cluster.
        if [[ -n "$_SVC_PG_PORT_GIVEN" ]]; then
            _svc_die "port $MODULAR_PG_PORT (MODULAR_PG_PORT) is taken by another server, not this checkout's PostgreSQL ($data); choose a free port"
            return 1
        fi
        local taken="$MODULAR_PG_PORT"
        MODULAR_PG_PORT="$(_svc_free_port $(( taken + 1 )))" || return 1
        _svc_log "port $taken is taken by another server (not this checkout's cluster); using $MODULAR_PG_PORT"
    fi
    major="$(basename "$(dirname "$PG_BIN")")"

    if [[ ! -s "$data/PG_VERSION" ]]; then
        _svc_log "initializing a PostgreSQL $major cluster in $data"
        # a half-written data folder from an interrupted initdb cannot be reused
        if [[ -d "$data" ]]; then rm -rf "$data"; fi
        if ! _pg_as_owner "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
                --no-instructions >"$PG_BASE/initdb.log" 2>&1; then
            tail -n 20 "$PG_BASE/initdb.log" >&2 || true
            _svc_die "initdb failed (full output in $PG_BASE/initdb.log)"
            return 1
        fi
    elif [[ "$(cat "$data/PG_VERSION")" != "$major" ]]; then
        _svc_die "$data was created by PostgreSQL $(cat "$data/PG_VERSION") but the binaries are $major; delete $data to recreate the cluster"
        return 1
    fi

    sock="$(_pg_socket_dir)"
    # pg_stat_statements (when the binaries have it) lets ./bench.sh count the statements per email
    local preload=""
    if [[ -f "$PG_BIN/../lib/pg_stat_statements.so" ]]; then
        preload=" -c shared_preload_libraries=pg_stat_statements"
    fi
    _svc_log "starting PostgreSQL on 127.0.0.1:$MODULAR_PG_PORT (log: $log)"
    if ! _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 \
            -o "-p $MODULAR_PG_PORT -k '$sock' -c listen_addresses=127.0.0.1 -c max_connections=300$preload" \
            start >/dev/null; then
        # another process may have started it concurrently
        if ! _pg_ready; then
            tail -n 20 "$log" >&2 2>/dev/null || true
            _svc_die "PostgreSQL did not start (log: $log)"
            return 1
        fi
    fi
    local i
    for ((i = 0; i < 60; i++)); do
        if _pg_ready; then
            _svc_log "PostgreSQL is up on 127.0.0.1:$MODULAR_PG_PORT"
            return 0
        fi
        sleep 1
    done
    tail -n 20 "$log" >&2 2>/dev/null || true
    _svc_die "PostgreSQL did not become ready on 127.0.0.1:$MODULAR_PG_PORT within 60 s (log: $log)"
}

_pg_psql() {
    _pg_find_bin || return 1
    PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MODULAR_PG_PORT" -U postgres -d postgres "$@"
}

_pg_check_name() {
    if [[ ! "${1:-}" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; then
        _svc_die "invalid database name '${1:-}' (letters, digits and _ only)"
        return 1
    fi
}

_pg_db_exists() {
    [[ "$(_pg_psql -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" == 1 ]]
}

ensure_database() {
    local name="${1:-}"
    _pg_check_name "$name" || return 1
    if _pg_db_exists "$name"; then return 0; fi
    _svc_log "creating database $name"
    if ! _pg_psql -c "CREATE DATABASE \"$name\"" 2>/dev/null; then
        # tolerate a concurrent creator
        _pg_db_exists "$name" || { _pg_psql -c "CREATE DATABASE \"$name\""; return; }
    fi
}

recreate_database() {
    local name="${1:-}"
    _pg_check_name "$name" || return 1
    _svc_log "recreating database $name"
    _pg_psql -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" || return 1
    _pg_psql -c "CREATE DATABASE \"$name\"" || return 1
}

pg_connection_string() {
    local name="${1:-}"
    _pg_check_name "$name" || return 1
    printf 'Host=127.0.0.1;Port=%s;Username=postgres;Database=%s\n' "$MODULAR_PG_PORT" "$name"
}

# ------------------------------------------------------------- python3-dkim

_dkim_usable() { /usr/bin/python3 -c 'import dkim' >/dev/null 2>&1; }

ensure_python_dkim() {
    if _dkim_usable; then
        return 0
    fi
    if ! _svc_is_root; then
        _svc_die "/usr/bin/python3 cannot import dkim and this is not root: run 'sudo apt-get install -y python3-dkim' and retry"
        return 1
    fi
    _svc_log "python3-dkim is missing; installing the Debian package (apt-get)"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-dkim >/dev/null; }; then
        _svc_die "apt-get install python3-dkim failed"
        return 1
    fi
    _dkim_usable || { _svc_die "/usr/bin/python3 still cannot import dkim after apt-get install python3-dkim"; return 1; }
}

# ------------------------------------------------------------------- MailDev

_maildev_dir() { printf '%s\n' "$REPO/.local/maildev"; }

_maildev_installed() {
    local dir; dir="$(_maildev_dir)"
    [[ -x "$dir/node_modules/.bin/maildev" && -f "$dir/node_modules/maildev/package.json" ]] || return 1
    grep -q "\"version\": *\"$MODULAR_MAILDEV_VERSION\"" "$dir/node_modules/maildev/package.json"
}

_maildev_install() {
    local dir; dir="$(_maildev_dir)"
    command -v node >/dev/null 2>&1 || { _svc_die "node is not installed (MailDev needs Node.js 20+ and npm)"; return 1; }
    command -v npm >/dev/null 2>&1 || { _svc_die "npm is not installed (MailDev needs Node.js 20+ and npm)"; return 1; }
    # maildev 3.0.0 declares "engines": {"node": ">=20.0.0"}
    local node_major
    node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
    if (( node_major < 20 )); then
        _svc_die "MailDev $MODULAR_MAILDEV_VERSION needs Node.js 20 or later; this machine has $(node --version 2>/dev/null || echo 'an unknown version')"
        return 1
    fi
    mkdir -p "$dir"
    # one installer at a time (run.sh and test.sh may start together)
    local lock_fd
    exec {lock_fd}>"$REPO/.local/maildev.install.lock"
    if ! flock -w 600 "$lock_fd"; then
        exec {lock_fd}>&-
        _svc_die "timed out waiting for another MailDev install"
        return 1
    fi
    if ! _maildev_installed; then
        _svc_log "installing maildev@$MODULAR_MAILDEV_VERSION into $dir (npm)"
        if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
                "maildev@$MODULAR_MAILDEV_VERSION" >"$REPO/.local/maildev.install.log" 2>&1; then
            exec {lock_fd}>&-
            tail -n 20 "$REPO/.local/maildev.install.log" >&2 || true
            _svc_die "npm install maildev@$MODULAR_MAILDEV_VERSION failed (log: $REPO/.local/maildev.install.log)"
            return 1
        fi
    fi
    exec {lock_fd}>&-
    _maildev_installed || { _svc_die "maildev is not usable after npm install (see $REPO/.local/maildev.install.log)"; return 1; }
}

# Prints "SMTP WEB", the ports of the MailDev this checkout started, when it runs: its pid file
# names a live process whose command line is this checkout's maildev.
_maildev_own_ports() {
    local pid args smtp="" web=""
    pid="$(cat "$REPO/.local/maildev.pid" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    args="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$args" == *"$(_maildev_dir)/"* ]] || return 1
    [[ "$args" =~ --smtp\ ([0-9]+) ]] && smtp="${BASH_REMATCH[1]}"
    [[ "$args" =~ --web\ ([0-9]+) ]] && web="${BASH_REMATCH[1]}"
    [[ -n "$smtp" && -n "$web" ]] || return 1
    printf '%s %s\n' "$smtp" "$web"
}

ensure_maildev() {
    local log="$REPO/.local/maildev.log" pidfile="$REPO/.local/maildev.pid" pid="" i own smtp web
    mkdir -p "$REPO/.local"
    if own="$(_maildev_own_ports)"; then
        read -r smtp web <<<"$own"
        if [[ -n "$_SVC_MAILDEV_PORTS_GIVEN" && ( "$smtp" != "$MODULAR_SMTP_PORT" || "$web" != "$MODULAR_MAILDEV_WEB_PORT" ) ]]; then
            _svc_die "this checkout's MailDev runs on SMTP $smtp / web $web, not the ports given ($MODULAR_SMTP_PORT / $MODULAR_MAILDEV_WEB_PORT); stop it (pid $(cat "$pidfile")) or use those ports"
            return 1
        fi
        MODULAR_SMTP_PORT="$smtp" MODULAR_MAILDEV_WEB_PORT="$web"
        pid="$(cat "$pidfile")"
    else
        smtp="$MODULAR_SMTP_PORT" web="$MODULAR_MAILDEV_WEB_PORT"
        if _svc_port_open "$smtp" || _svc_port_open "$web"; then
            # Another checkout's MailDev (or another server): its mail is not ours to read or clear.
            if [[ -n "$_SVC_MAILDEV_PORTS_GIVEN" ]]; then
                _svc_die "port $smtp or $web (MODULAR_SMTP_PORT / MODULAR_MAILDEV_WEB_PORT) is taken by another server, not this checkout's MailDev; choose free ports"
                return 1
            fi
            for ((i = 1; i <= 200; i++)); do
                if ! _svc_port_open $(( smtp + i )) && ! _svc_port_open $(( web + i )); then break; fi
            done
            (( i <= 200 )) || { _svc_die "no free pair of ports for MailDev near $smtp / $web"; return 1; }
            _svc_log "ports $smtp / $web are taken by another server (not this checkout's MailDev); using $(( smtp + i )) / $(( web + i ))"
            smtp=$(( smtp + i )) web=$(( web + i ))
            MODULAR_SMTP_PORT="$smtp" MODULAR_MAILDEV_WEB_PORT="$web"
        fi
        _maildev_installed || _maildev_install || return 1
        _svc_log "starting MailDev (SMTP 127.0.0.1:$smtp, web 127.0.0.1:$web, log: $log)"
        printf '\n--- %s starting maildev\n' "$(date -u +%FT%TZ)" >>"$log"
        # setsid + nohup: detached from this shell's session, survives it
        # (the inner shell records its own pid, then becomes maildev)
        rm -f "$pidfile"
        # TMPDIR: MailDev keeps raw messages in $TMPDIR/maildev; keep them per clone
        mkdir -p "$REPO/.local/maildev-tmp"
        TMPDIR="$REPO/.local/maildev-tmp" setsid -f bash -c 'echo $$ >"$1"; shift; exec nohup "$@"' maildev "$pidfile" \
            "$(_maildev_dir)/node_modules/.bin/maildev" \
            --smtp "$smtp" --ip 127.0.0.1 --web "$web" --web-ip 127.0.0.1 \
            >>"$log" 2>&1 </dev/null
        for ((i = 0; i < 20; i++)); do
            [[ -s "$pidfile" ]] && break
            sleep 0.1
        done
        pid="$(cat "$pidfile" 2>/dev/null || true)"
    fi
    for ((i = 0; i < 120; i++)); do
        if _svc_port_open "$smtp" && _svc_port_open "$web"; then
            _svc_log "MailDev is up (SMTP 127.0.0.1:$smtp, web http://127.0.0.1:$web)"
            return 0
        fi
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null \
                && ! _svc_port_open "$smtp"; then
            break   # exited early (e.g. port in use); report below
        fi
        sleep 0.5
    done
    {
        echo "[services] MailDev log tail ($log):"
        tail -n 20 "$log" 2>/dev/null || true
    } >&2
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
        _svc_die "MailDev exited at start (is a port in use? log tail above)"
        return 1
    fi
    _svc_die "MailDev did not answer on 127.0.0.1:$smtp (SMTP) and 127.0.0.1:$web (web) within 60 s"
}

# ------------------------------------------------------------------- Dovecot

_dovecot_dir() { printf '%s\n' "$REPO/.local/dovecot"; }

# Installs the Debian package dovecot-imapd when /usr/sbin/dovecot is missing (root only).
_dovecot_install() {
    if [[ -x /usr/sbin/dovecot && -x /usr/lib/dovecot/imap ]]; then return 0; fi
    if ! _svc_is_root; then
        _svc_die "Dovecot is not installed (no /usr/sbin/dovecot) and this is not root: run 'sudo apt-get install -y dovecot-imapd' and retry"
        return 1
    fi
    _svc_log "Dovecot not found; installing the Debian package 'dovecot-imapd' (apt-get)"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null; }; then
        _svc_die "apt-get install dovecot-imapd failed"
        return 1
    fi
    # The package starts the system's own Dovecot on the standard ports; ours never uses them.
    [[ -x /usr/sbin/dovecot ]] || { _svc_die "dovecot-imapd installed but /usr/sbin/dovecot is missing"; return 1; }
}

# Writes the throwaway configuration: its own base_dir (sockets, pid), state, log, users and mail,
# all under .local/dovecot, listening on 127.0.0.1:$MODULAR_IMAP_PORT only.
_dovecot_configure() {
    local dir="$1" uid gid
    uid="$(id -u)"; gid="$(id -g)"
    mkdir -p "$dir/run" "$dir/state" "$dir/mail"
    if [[ "$uid" -eq 0 ]]; then
        # Dovecot never keeps mail as root: as root, the mail belongs to Debian's 'mail' user.
        uid="$(id -u mail)"; gid="$(id -g mail)"
        chown -R "$uid:$gid" "$dir/mail"
    fi
    if [[ ! -s "$dir/users" ]]; then
        printf '%s\n' 'modular:{PLAIN}modular::::::' 'demo:{PLAIN}demo::::::' >"$dir/users"
    fi
    cat >"$dir/dovecot.conf" <<CONF
# Generated by scripts/services.sh for $REPO: a private Dovecot for development and tests.
instance_name = modular-$(printf '%s' "$REPO" | sha256sum | cut -c1-12)
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $uid
last_valid_uid = $uid
mail_location = maildir:$dir/mail/%u
mail_max_userip_connections = 200
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $MODULAR_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
CONF
}

# Prints the IMAP port of this checkout's Dovecot when it runs (its master.pid is alive; the port is
# the one its configuration was written with).
_dovecot_own_port() {
    local dir="$1" pid port
    pid="$(cat "$dir/run/master.pid" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    port="$(sed -n 's/^ *port = \([1-9][0-9]*\)$/\1/p' "$dir/dovecot.conf" 2>/dev/null | head -n 1)"
    [[ -n "$port" ]] || return 1
    printf '%s\n' "$port"
}

ensure_dovecot() {
    local dir own i; dir="$(_dovecot_dir)"
    if own="$(_dovecot_own_port "$dir")"; then
        if [[ -n "$_SVC_IMAP_PORT_GIVEN" && "$own" != "$MODULAR_IMAP_PORT" ]]; then
            _svc_die "this checkout's Dovecot runs on port $own, not MODULAR_IMAP_PORT=$MODULAR_IMAP_PORT; stop it (stop_dovecot) or use that port"
            return 1
        fi
        MODULAR_IMAP_PORT="$own"
        for ((i = 0; i < 60; i++)); do
            if _svc_port_open "$MODULAR_IMAP_PORT"; then
                _svc_log "Dovecot is up (IMAP 127.0.0.1:$MODULAR_IMAP_PORT)"
                return 0
            fi
            sleep 0.5
        done
        _svc_die "this checkout's Dovecot runs but does not answer on 127.0.0.1:$MODULAR_IMAP_PORT"
        return 1
    fi
    if _svc_port_open "$MODULAR_IMAP_PORT"; then
        # Another checkout's (or the system's) IMAP server: its mailboxes are not ours.
        if [[ -n "$_SVC_IMAP_PORT_GIVEN" ]]; then
            _svc_die "port $MODULAR_IMAP_PORT (MODULAR_IMAP_PORT) is taken by another server, not this checkout's Dovecot; choose a free port"
            return 1
        fi
        local taken="$MODULAR_IMAP_PORT"
        MODULAR_IMAP_PORT="$(_svc_free_port $(( taken + 1 )))" || return 1
        _svc_log "port $taken is taken by another server (not this checkout's Dovecot); using $MODULAR_IMAP_PORT"
    fi
    _dovecot_install || return 1
    _dovecot_configure "$dir"
    _svc_log "starting Dovecot (IMAP 127.0.0.1:$MODULAR_IMAP_PORT, log: $dir/dovecot.log)"
    if ! /usr/sbin/dovecot -c "$dir/dovecot.conf" 2>>"$dir/dovecot.log"; then
        tail -n 20 "$dir/dovecot.log" >&2 2>/dev/null || true
        _svc_die "Dovecot did not start (log: $dir/dovecot.log)"
        return 1
    fi
    for ((i = 0; i < 60; i++)); do
        if _svc_port_open "$MODULAR_IMAP_PORT"; then
            _svc_log "Dovecot is up (IMAP 127.0.0.1:$MODULAR_IMAP_PORT)"
            return 0
        fi
        sleep 0.5
    done
    tail -n 20 "$dir/dovecot.log" >&2 2>/dev/null || true
    _svc_die "Dovecot did not answer on 127.0.0.1:$MODULAR_IMAP_PORT within 30 s (log: $dir/dovecot.log)"
}

stop_dovecot() {
    local dir pid; dir="$(_dovecot_dir)"
    pid="$(cat "$dir/run/master.pid" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        _svc_log "stopping Dovecot (pid $pid)"
        kill "$pid"
    fi
}
