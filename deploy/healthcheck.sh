#!/usr/bin/env bash
# Container health probe for article-enricher.
#
# Why a bash script and not curl: the runtime image is debian:bookworm-slim, which ships bash but no
# HTTP client, and pulling curl in would add a dozen libraries (and their CVEs) just for a probe.
# bash's /dev/tcp is enough for one GET on loopback.
#
# Usage: enricher-healthcheck [PATH]      PATH defaults to /healthz; use /readyz for readiness.
# The port comes from ENRICHER_METRICS_ADDR (the same variable the worker reads), default 0.0.0.0:9898.
# Exit 0 when the endpoint answers HTTP 200, 1 otherwise (Docker's healthy/unhealthy contract).
set -u

path="${1:-/healthz}"
addr="${ENRICHER_METRICS_ADDR:-0.0.0.0:9898}"
port="${addr##*:}"
host="${addr%:*}"
host="${host#[}"
host="${host%]}"
# A wildcard bind address is reachable on loopback; a specific address must be probed as is.
case "$host" in
"" | 0.0.0.0 | "::") host=127.0.0.1 ;;
esac

if ! exec 3<>"/dev/tcp/${host}/${port}"; then
    echo "health: cannot connect to ${host}:${port}" >&2
    exit 1
fi
printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$host" >&3
# Only the status line matters; `read -t` bounds a server that accepts but never answers.
if ! IFS= read -r -t 3 status_line <&3; then
    echo "health: no answer from ${host}:${port}${path}" >&2
    exit 1
fi
exec 3<&-
case "$status_line" in
"HTTP/1."?" 200"*) exit 0 ;;
*)
    echo "health: ${path} answered: ${status_line%$'\r'}" >&2
    exit 1
    ;;
esac
