#!/usr/bin/env bash
# Nothing acknowledged is lost (the storage issue's guarantee): the example server on a SQLite
# store keeps an offline message, the sender's archive, a roster entry with its pending
# subscription, a pubsub node with its published item, and an account added by the admin command
# while it runs, across `kill -9` and a restart; the recipient then gets the message and the
# request, a new subscriber gets the item, and approving the request reaches the sender's roster,
# again across a second `kill -9`. Carol's unseen count in a persistent room (her own message
# read what came before it) is 1 after a later room message, from the archive that survived; so does bob's read position in his chat with alice
# (`urn:xmpp:unread`, acked before the second crash): a message after it makes his count 1. Last, XEP-0198 across a crash: alice floods bob, the
# server is killed while she does, her client resumes when it is back (resumption fails: a
# restarted server has no streams) and sends again what was never acknowledged; bob then gets
# every message, and every one the server had acknowledged exactly once.
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
  "$SERVER" --domain localhost --listen 127.0.0.1:"$PORT" --store "$STORE" --shards 2 >>"$DIR/server.log" 2>&1 &
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
  "first words" >>"$LOGS/carol.log" 2>&1 || true
crash
start
"$CLIENT" --jid bob@localhost --password pass "${c[@]}" --wait 2 --approve listen >"$LOGS/bob.log" 2>&1 || true
"$CLIENT" --jid dave@localhost --password davepass "${c[@]}" --wait 1 pubsub pubsub.localhost news subscribe \
  >"$LOGS/dave.log" 2>&1 || true
"$CLIENT" --jid dave@localhost --password davepass "${c[@]}" --wait 1 muc cave@conference.localhost dave "hello cave" \
  >>"$LOGS/dave.log" 2>&1 || true
"$CLIENT" --jid bob@localhost --password pass "${c[@]}" --wait 1 unread ack alice@localhost all \
  >"$LOGS/bob_unread.log" 2>&1 || true
crash
start
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 roster >"$LOGS/alice2.log" 2>&1 || true
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 mam bob@localhost >>"$LOGS/alice2.log" 2>&1 || true
"$CLIENT" --jid carol@localhost --password pass "${c[@]}" --wait 1 read-marker cave@conference.localhost query \
  >"$LOGS/carol2.log" 2>&1 || true
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 send bob@localhost "after the ack" \
  >>"$LOGS/alice2.log" 2>&1 || true
"$CLIENT" --jid bob@localhost --password pass "${c[@]}" --wait 1 unread >>"$LOGS/bob_unread.log" 2>&1 || true
# The flood: 600 messages, one every 2 ms; the crash comes once 100 are acknowledged.
FLOOD=600
"$CLIENT" --jid alice@localhost --password pass "${c[@]}" --wait 1 --reconnect flood bob@localhost flood "$FLOOD" \
  >"$LOGS/alice3.log" 2>&1 &
ALICE=$!
for _ in $(seq 1 200); do
  [ "$(grep -c '^acknowledged' "$LOGS/alice3.log")" -ge 1 ] && \
    [ "$(grep '^acknowledged' "$LOGS/alice3.log" | tail -1 | cut -d' ' -f2)" -ge 100 ] && break
  sleep 0.05
done
crash
sleep 0.5
start
wait "$ALICE" || true
"$CLIENT" --jid bob@localhost --password pass "${c[@]}" --wait 2 listen >"$LOGS/bob2.log" 2>&1 || true
kill -INT "$PID"; wait "$PID" 2>/dev/null || true; PID=
show_logs alice1 admin carol bob dave alice2 carol2 bob_unread
# What the first server acknowledged: the last count before the connection was lost.
ACKED=$(sed '/^connection lost/q' "$LOGS/alice3.log" | grep '^acknowledged' | tail -1 | cut -d' ' -f2)
echo "--- alice3 (flood): acknowledged ${ACKED:-0} of $FLOOD before the crash"
grep -v '^acknowledged' "$LOGS/alice3.log" | head -20
grep -o 'flood [0-9]*$' "$LOGS/bob2.log" | sort | uniq -c | awk '{print $1}' | sort | uniq -c \
  | sed 's/^/bob2: messages received this many times: /'
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
check carol "^sent to the room\$"
check carol2 "^read marker: last [^ ]* unseen 1\$"
check bob_unread "^unread acked\$"
check bob_unread "^unread alice@localhost 1\$"
check alice3 "^connection lost"
check alice3 "^resume failed"
check alice3 "^sent $FLOOD messages\$"
if [ "${ACKED:-0}" -lt 100 ] || [ "$ACKED" -ge "$FLOOD" ]; then
  echo "FAILED: the crash did not come in the middle of the flood (acknowledged: ${ACKED:-none})"; FAIL=1
fi
for n in $(seq 1 "$FLOOD"); do
  got=$(grep -c ": flood $n\$" "$LOGS/bob2.log" || true)
  if [ "$got" = 0 ]; then echo "FAILED: flood $n was lost"; FAIL=1; break; fi
  if [ "$n" -le "${ACKED:-0}" ] && [ "$got" != 1 ]; then
    echo "FAILED: flood $n, acknowledged before the crash, arrived $got times"; FAIL=1; break
  fi
done
if [ "$(grep -c "while you were out" "$LOGS/bob.log")" != 1 ]; then
  echo "FAILED: bob got the offline message other than once"; FAIL=1
fi
end_check durability "${XMPPKIT_DURABILITY_NAME:-sqlite kill -9}" || { cat "$DIR/server.log"; exit 1; }
