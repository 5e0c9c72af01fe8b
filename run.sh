#!/usr/bin/env bash
# Starts what is not running (private PostgreSQL, MailDev, Dovecot), then the API on
# http://localhost:5080. The API applies migrations and seeds the demo
# organization itself. Idempotent: a second run reuses everything.
# Settings given in the environment win (Admin__ApiKey, Demo__ApiKey,
# ConnectionStrings__Database, Smtp__Host, Smtp__Port, ASPNETCORE_URLS,
# ASPNETCORE_ENVIRONMENT, DataProtection__CertificatePath/Password); the stored
# keys and local defaults are used only for what is not given.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$REPO"
# shellcheck source=scripts/services.sh
source "$REPO/scripts/services.sh"

ensure_postgres
ensure_maildev
ensure_dovecot
ensure_database modular

# Prints the key stored in FILE, creating it (PREFIX + 32 hex chars) when missing.
api_key() {
    local file="$1" prefix="$2" hex
    if [[ ! -s "$file" ]]; then
        if command -v openssl >/dev/null 2>&1; then
            hex="$(openssl rand -hex 16)"
        else
            hex="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
        fi
        (umask 077 && printf '%s%s\n' "$prefix" "$hex" >"$file.tmp")
        mv "$file.tmp" "$file"
    fi
    tr -d '[:space:]' <"$file"
}

# Prints the path of the certificate that encrypts the Data Protection key ring at rest
# (.local/data-protection.pfx, password in .local/data-protection.password), creating both when
# missing; prints nothing when openssl is not installed (Development then runs without one).
data_protection_certificate() {
    local pfx="$REPO/.local/data-protection.pfx" password_file="$REPO/.local/data-protection.password" tmp
    if [[ ! -s "$pfx" || ! -s "$password_file" ]]; then
        if ! command -v openssl >/dev/null 2>&1; then
            echo "run.sh: openssl is not installed; the Data Protection keys are stored unencrypted in Development" >&2
            return 0
        fi
        tmp="$(mktemp -d "$REPO/.local/dp.XXXXXX")"
        (umask 077
            openssl rand -hex 16 >"$tmp/password"
            openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Modular Data Protection (local)" \
                -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
            openssl pkcs12 -export -inkey "$tmp/key.pem" -in "$tmp/cert.pem" -out "$tmp/dp.pfx" \
                -passout "file:$tmp/password" >/dev/null 2>&1
            mv "$tmp/password" "$password_file"
            mv "$tmp/dp.pfx" "$pfx")
        rm -rf "$tmp"
    fi
    printf '%s\n' "$pfx"
}

mkdir -p "$REPO/.local"
if [[ -n "${Admin__ApiKey:-}" ]]; then
    admin_key="$Admin__ApiKey"; admin_from="from the environment"
else
    admin_key="$(api_key "$REPO/.local/admin-api-key" mod_admin_)"; admin_from="stored in .local/admin-api-key"
fi
demo_key="${Demo__ApiKey:-$(api_key "$REPO/.local/demo-api-key" mod_demo_)}"
urls="${ASPNETCORE_URLS:-http://localhost:5080}"

echo "Admin API key: $admin_key   ($admin_from)"
echo "MailDev (received mail): http://127.0.0.1:$MODULAR_MAILDEV_WEB_PORT"
echo "Dovecot (the demo channel's mailbox): imap://127.0.0.1:$MODULAR_IMAP_PORT, user demo, password demo"
echo "  Drop a reply into it (the demo channel takes it within seconds):"
echo "    printf 'From: Carol <carol@customer.example.com>\\r\\nTo: demo@modular.example.com\\r\\nSubject: Re: Your order\\r\\n\\r\\nThanks!\\r\\n' > reply.eml"
echo "    curl -s --url imap://127.0.0.1:$MODULAR_IMAP_PORT/INBOX --user demo:demo -T reply.eml"
echo "Starting the API on $urls ..."

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="$urls"
# The base of one-click unsubscribe links in email (List-Unsubscribe); https in production.
export Public__BaseUrl="${Public__BaseUrl:-${urls%%;*}}"
export ConnectionStrings__Database="${ConnectionStrings__Database:-$(pg_connection_string modular)}"
export Admin__ApiKey="$admin_key"
export Demo__ApiKey="$demo_key"
export Smtp__Host="${Smtp__Host:-127.0.0.1}"
export Smtp__Port="${Smtp__Port:-$MODULAR_SMTP_PORT}"
export Demo__Imap__Host="${Demo__Imap__Host:-127.0.0.1}"
export Demo__Imap__Port="${Demo__Imap__Port:-$MODULAR_IMAP_PORT}"
export Demo__Imap__Username="${Demo__Imap__Username:-demo}"
export Demo__Imap__Password="${Demo__Imap__Password:-demo}"
if [[ -z "${DataProtection__CertificatePath:-}" ]]; then
    dp_certificate="$(data_protection_certificate)"
    if [[ -n "$dp_certificate" ]]; then
        export DataProtection__CertificatePath="$dp_certificate"
        DataProtection__CertificatePassword="$(tr -d '[:space:]' <"$REPO/.local/data-protection.password")"
        export DataProtection__CertificatePassword
    fi
fi

exec dotnet run --project src/Api/Modular.Api.csproj -c Release
