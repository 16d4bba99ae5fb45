#!/usr/bin/env bash
# Nothing acknowledged is lost (the storage issue's guarantee): the example server on a SQLite
# store keeps an offline message, the sender's archive, a roster entry with its pending
# subscription, a pubsub node with its published item, and an account added by the admin command
# while it runs, across `kill -9` and a restart; the recipient then gets the message and the
# request, a new subscriber gets the item, and approving the request reaches the sender's roster,
# again across a second `kill -9`.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

PORT=${XMPPKIT_DURABILITY_PORT:-25240}
DIR=$(mktemp -d)
PID=
trap 'if [ -n "$PID" ]; then kill -KILL "$PID" 2>/dev/null || true; fi; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT
cargo build --quiet --example server --example client
SERVER=target/debug/examples/server
STORE=${XMPPKIT_DURABILITY_STORE:-sqlite:$DIR/state.db}
start() {
  "$SERVER" --domain localhost --listen 127.0.0.1:"$PORT" --store "$STORE" >>"$DIR/server.log" 2>&1 &
  PID=$!
  wait_port "$PORT" || { echo "the server did not start:"; cat "$DIR/server.log"; exit 1; }
}
crash() { kill -KILL "$PID"; wait "$PID" 2>/dev/null || true; PID=; }

begin_check
c=(--server 127.0.0.1:"$PORT" --insecure-tls)
start
# The demo accounts (alice, bob, carol / pass) were made in the empty store. Alice asks for bob's
# presence and writes to him while he is away; an admin adds dave to the running server; carol
# creates a pubsub node and a persistent room, which dave finds after the crash.
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 subscribe bob@localhost \
  >"$LOGS/alice1.log" 2>&1 || true
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 send bob@localhost "while you were out" \
  >>"$LOGS/alice1.log" 2>&1 || true
"$SERVER" --domain localhost --store "$STORE" adduser dave@localhost --password davepass >"$LOGS/admin.log" 2>&1
"$CLIENT" --jid carol@localhost --password pass "${c[@]}" --wait 1 pubsub pubsub.localhost news create \
  >"$LOGS/carol.log" 2>&1 || true
"$CLIENT" --jid carol@localhost --password pass "${c[@]}" --wait 1 pubsub pubsub.localhost news publish "kept" \
  >>"$LOGS/carol.log" 2>&1 || true
"$CLIENT" --jid carol@localhost --password pass "${c[@]}" --wait 1 --persistent muc cave@conference.localhost carol \
  >>"$LOGS/carol.log" 2>&1 || true
crash
start
"$CLIENT" --jid bob@localhost --password pass "${c[@]}" --wait 2 --approve listen >"$LOGS/bob.log" 2>&1 || true
"$CLIENT" --jid dave@localhost --password davepass "${c[@]}" --wait 1 pubsub pubsub.localhost news subscribe \
  >"$LOGS/dave.log" 2>&1 || true
"$CLIENT" --jid dave@localhost --password davepass "${c[@]}" --wait 1 muc cave@conference.localhost dave \
  >>"$LOGS/dave.log" 2>&1 || true
crash
start
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 roster >"$LOGS/alice2.log" 2>&1 || true
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 mam bob@localhost >>"$LOGS/alice2.log" 2>&1 || true
kill -INT "$PID"; wait "$PID" 2>/dev/null || true; PID=
show_logs alice1 admin carol bob dave alice2
check alice1 "^roster push: bob@localhost subscription=none ask\$"
check alice1 "^sent to bob@localhost\$"
check bob "^message from alice@localhost/.*: while you were out\$"
check bob "^subscription request from alice@localhost\$"
check bob "^approved alice@localhost\$"
check dave "^online as dave@localhost/"
check dave "^pubsub item on news: kept\$"
check carol "^configured a persistent room\$"
check dave "^joined cave@conference.localhost as dave (created: false"
check alice2 "^roster item: bob@localhost subscription=to\$"
check alice2 "^archived alice@localhost/.* -> bob@localhost: while you were out\$"
if [ "$(grep -c "while you were out" "$LOGS/bob.log")" != 1 ]; then
  echo "FAILED: bob got the offline message other than once"; FAIL=1
fi
end_check durability "${XMPPKIT_DURABILITY_NAME:-sqlite kill -9}" || { cat "$DIR/server.log"; exit 1; }
