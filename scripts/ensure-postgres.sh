#!/usr/bin/env bash
# Install (when absent) and start PostgreSQL 15, and make the role the tests use.
# Prints the DATABASE_URL to use on its last line.
set -euo pipefail
PGVER=15
if ! command -v pg_ctlcluster >/dev/null || [ ! -d /usr/lib/postgresql/$PGVER ]; then
  echo "Installing PostgreSQL $PGVER with apt..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql-$PGVER >&2
fi
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$PGVER main$"; then
  pg_createcluster $PGVER main >&2
fi
if ! pg_lsclusters -h | awk -v v=$PGVER '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster $PGVER main start >&2
fi
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q" && break
  sleep 0.5
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='sendtrust'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE sendtrust LOGIN CREATEDB PASSWORD 'sendtrust'\"" >&2
# The tests create the least-privilege application role (manage.py grant_app_role).
su postgres -c "psql -qc \"ALTER ROLE sendtrust CREATEROLE\"" >&2
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='sendtrust'\"" | grep -q 1 ||
  su postgres -c "createdb -O sendtrust sendtrust" >&2
PORT=$(pg_lsclusters -h | awk -v v=$PGVER '$1==v && $2=="main" {print $3}')
echo "postgres://sendtrust:sendtrust@127.0.0.1:${PORT}/sendtrust"
