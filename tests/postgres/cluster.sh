#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on 127.0.0.1 for the tests (source this file). pg_start
# installs PostgreSQL from Debian when missing, runs initdb in a temporary directory as the
# postgres user (initdb refuses root) and starts the server on a port of its own; it sets PG_DIR,
# PG_PORT and XMPPKIT_TEST_POSTGRES (a connection string without dbname). pg_stop stops that
# server (pg_ctl reads the cluster's own pid file) and removes the directory. pg_crash stops it
# the way a power cut would (immediate mode: no shutdown checkpoint). The tests run it with
# fsync=off (a crash of the process loses nothing; a power cut could); PG_FSYNC=on for the load.

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

pg_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  if ! pg_bin >/dev/null; then
    echo "== installing postgresql (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local bin
  bin=$(pg_bin)
  PG_BIN=$bin
  PG_DIR=$(mktemp -d /tmp/xmppkit-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; fi
  pg_as "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log"; return 1; }
  # A port below the kernel's ephemeral range (32768 and up), where an outgoing connection
  # of this machine may hold it; another when it is taken all the same, unless PG_PORT is set.
  local fixed=${PG_PORT:-} attempt
  for attempt in 1 2 3 4 5; do
    PG_PORT=${fixed:-$((20000 + RANDOM % 12000))}
    if pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}" start >/dev/null; then
      break
    fi
    if [ -n "$fixed" ] || [ "$attempt" = 5 ]; then cat "$PG_DIR/server.log"; return 1; fi
  done
  export XMPPKIT_TEST_POSTGRES="host=127.0.0.1 port=$PG_PORT user=postgres"
  # For the outage test: how to stop the server the hard way and start it again.
  local ctl="$bin/pg_ctl -D $PG_DIR/data"
  if [ "$(id -u)" = 0 ]; then ctl="runuser -u postgres -- $ctl"; fi
  export XMPPKIT_TEST_POSTGRES_STOP="$ctl -m immediate -w stop"
  export XMPPKIT_TEST_POSTGRES_START="$ctl -l $PG_DIR/server.log -w -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}' start"
}

pg_crash() {
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
}

pg_restart() {
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}" start >/dev/null
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
