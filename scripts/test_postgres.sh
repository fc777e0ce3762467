#!/usr/bin/env bash
# Start a PostgreSQL server from Debian's packages for the tests and print its URL.
# Idempotent: installs the package if missing, creates and starts a cluster, and a role.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then SUDO=""; AS_PG="runuser -u postgres --"
else SUDO="sudo"; AS_PG="sudo -u postgres"; fi
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q "^$VERSION main"; then
  $SUDO pg_createcluster "$VERSION" main >&2
fi
$SUDO pg_ctlcluster "$VERSION" main start >&2 2>/dev/null || true
PORT=$(pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  $AS_PG psql -p "$PORT" -tAc "SELECT 1" >/dev/null 2>&1 && break
  sleep 1
done
if ! $AS_PG psql -p "$PORT" -tAc "SELECT 1 FROM pg_roles WHERE rolname='notforsale'" \
    | grep -q 1; then
  $AS_PG psql -p "$PORT" -qc \
    "CREATE ROLE notforsale LOGIN SUPERUSER PASSWORD 'notforsale'" >&2
fi
echo "postgresql+psycopg://notforsale:notforsale@127.0.0.1:${PORT}/postgres"
