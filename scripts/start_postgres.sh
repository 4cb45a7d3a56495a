#!/usr/bin/env bash
# Start a throw-away PostgreSQL cluster on loopback and print its SQLAlchemy URL.
set -euo pipefail
PORT=${BULWARK_PG_PORT:-54329}
DIR=${BULWARK_PG_DIR:-/tmp/bulwark-pg}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if ! "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  chown postgres:postgres "$DIR"
  su postgres -s /bin/sh -c "$BIN/initdb -D $DIR/data -A trust -U postgres >$DIR/initdb.log 2>&1"
  su postgres -s /bin/sh -c "$BIN/pg_ctl -D $DIR/data -l $DIR/server.log -w -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off' start >/dev/null"
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
