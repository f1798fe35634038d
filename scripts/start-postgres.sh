#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 on a free local port and prints its URL on the last line.
# PostgreSQL refuses to run as root, so initdb/pg_ctl run as the postgres user on a directory it owns.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "installing postgresql…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi
PGDATA=${PGDATA:-$(mktemp -d /tmp/kaifang-pg.XXXXXX)}
PORT=${PGPORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
chown -R postgres:postgres "$PGDATA"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w start >/dev/null
echo "$PGDATA" > /tmp/kaifang-pg.last
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
