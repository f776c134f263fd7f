#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on a Unix socket; stop and delete it after.
set -euo pipefail
BINDIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DIR=$(mktemp -d /tmp/kechuang-pg.XXXXXX)
RUNAS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$DIR"
  RUNAS=(runuser -u postgres --)
fi
cleanup() { "${RUNAS[@]}" "$BINDIR/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
"${RUNAS[@]}" "$BINDIR/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUNAS[@]}" "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-k $DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
export PGHOST="$DIR" PGUSER=postgres PGDATABASE=postgres
"$@"
