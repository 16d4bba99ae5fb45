#!/usr/bin/env bash
# PostgreSQL stopped under a running server (the storage issue's bad-input case): the example
# server on a throwaway cluster (tests/postgres/cluster.sh) while carol floods bob, who is online.
# The database is stopped in the middle. Meanwhile logins are refused with
# `temporary-auth-failure` (the accounts cannot be read; two at once wait together, the lookups
# being off the engine's thread) and the server acknowledges nothing it could not write. When the database is back the flood finishes: bob gets every message exactly
# once, carol's archive has them, and logins work again. The server process is never restarted.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh
. tests/postgres/cluster.sh

PORT=${XMPPKIT_OUTAGE_PORT:-25250}
FLOOD=1500
DIR=$(mktemp -d)
PID=
trap 'if [ -n "$PID" ]; then kill -KILL "$PID" 2>/dev/null || true; fi; wait 2>/dev/null || true; pg_stop; rm -rf "$DIR"' EXIT
pg_start
cargo build --quiet --example server --example client
begin_check
"target/debug/examples/server" --domain localhost --listen 127.0.0.1:"$PORT" \
  --store "postgres://postgres@127.0.0.1:$PG_PORT/postgres" >"$DIR/server.log" 2>&1 &
PID=$!
wait_port "$PORT" || { echo "the server did not start:"; cat "$DIR/server.log"; exit 1; }
c=(--server 127.0.0.1:"$PORT" --insecure-tls)
"$CLIENT" --jid bob@localhost --password pass "${c[@]}" --wait 45 listen >"$LOGS/bob.log" 2>&1 &
BOB=$!
wait_log bob "^online as" || true
"$CLIENT" --jid carol@localhost --password pass "${c[@]}" --wait 2 flood bob@localhost flood "$FLOOD" \
  >"$LOGS/carol.log" 2>&1 &
CAROL=$!
acked() { grep '^acknowledged' "$LOGS/carol.log" | tail -1 | cut -d' ' -f2; }
for _ in $(seq 1 200); do [ "$(acked || true)" -ge 100 ] 2>/dev/null && break; sleep 0.05; done
pg_crash
AT_STOP=$(acked)
echo "database stopped with $AT_STOP of $FLOOD acknowledged"
# Two logins at once while the database is down: the accounts cannot be read. Each lookup waits
# out its timeout (5 s) off the engine's thread, so the two wait together, not one after the
# other.
T0=$(date +%s%N)
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 listen >"$LOGS/alice1.log" 2>&1 &
A1=$!
"$CLIENT" --jid dave@localhost --password pass "${c[@]}" --wait 1 listen >"$LOGS/dave.log" 2>&1 || true
wait "$A1" || true
LOGINS_MS=$((($(date +%s%N) - T0) / 1000000))
echo "two logins refused in $LOGINS_MS ms"
sleep 2
BEFORE_START=$(acked)
echo "still $BEFORE_START acknowledged just before the database came back"
pg_restart
wait "$CAROL" || true
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 listen >"$LOGS/alice2.log" 2>&1 || true
"$CLIENT" --jid carol@localhost --password pass "${c[@]}" --wait 2 mam bob@localhost >"$LOGS/carol2.log" 2>&1 || true
kill -INT "$BOB" 2>/dev/null || true
wait "$BOB" || true
kill -0 "$PID" 2>/dev/null && ALIVE=yes || ALIVE=no
kill -INT "$PID"; wait "$PID" 2>/dev/null || true; PID=
show_logs alice1 alice2 carol2
grep -v '^acknowledged' "$LOGS/carol.log" | head -20
echo "--- server (warnings)"; grep -v " INFO " "$DIR/server.log" | head -20
check alice1 "temporary-auth-failure"
check dave "temporary-auth-failure"
if [ "$LOGINS_MS" -ge 9000 ]; then
  echo "FAILED: the two logins took $LOGINS_MS ms: their lookups waited one after the other"; FAIL=1
fi
check alice2 "^online as alice@localhost/"
check carol "^sent $FLOOD messages\$"
check carol "^acknowledged $FLOOD\$"
check carol2 "^archive: "
if [ "$ALIVE" != yes ]; then echo "FAILED: the server did not keep running"; FAIL=1; fi
if [ "$AT_STOP" -ge "$FLOOD" ]; then echo "FAILED: the flood ended before the database stopped"; FAIL=1; fi
# What was in flight when the database stopped may still have been committed; after that,
# nothing is acknowledged until it is back (writes wait in the queue).
if [ "$((BEFORE_START - AT_STOP))" -gt 20 ]; then
  echo "FAILED: $((BEFORE_START - AT_STOP)) messages acknowledged while the database was down"; FAIL=1
fi
for n in $(seq 1 "$FLOOD"); do
  got=$(grep -c ": flood $n\$" "$LOGS/bob.log" || true)
  if [ "$got" != 1 ]; then echo "FAILED: flood $n reached bob $got times"; FAIL=1; break; fi
done
end_check durability "postgres outage" || { cat "$DIR/server.log" | tail -30; exit 1; }
