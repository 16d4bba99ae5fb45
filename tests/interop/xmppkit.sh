#!/usr/bin/env bash
# The example server, checked with the same client-example scenarios as Prosody and ejabberd:
# login over STARTTLS with SCRAM-SHA-256 and a message between two accounts, a MUC room created,
# entered, talked in and left, a pubsub node created, subscribed to and published on, and
# XEP-0198 resumption after the client's socket is reset. Then offline storage: a message to an
# account with no resource online arrives when it logs in.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

PORT=${XMPPKIT_SERVER_PORT:-25224}
start_example_server "$PORT" alice bob

exchange xmppkit "$PORT" SCRAM-SHA-256 || { cat "$DIR/server.log"; exit 1; }
muc_room xmppkit "$PORT" || { cat "$DIR/server.log"; exit 1; }
pubsub_node xmppkit "$PORT" || { cat "$DIR/server.log"; exit 1; }
mds_sync xmppkit "$PORT" || { cat "$DIR/server.log"; exit 1; }
resumption xmppkit "$PORT" || { cat "$DIR/server.log"; exit 1; }

begin_check
"$CLIENT" --jid alice@localhost --password alicepass --server 127.0.0.1:"$PORT" --insecure-tls \
  --wait 1 send bob@localhost "while you were away" >"$LOGS/alice.log" 2>&1 || true
"$CLIENT" --jid bob@localhost --password bobpass --server 127.0.0.1:"$PORT" --insecure-tls \
  --wait 2 listen >"$LOGS/bob.log" 2>&1 || true
show_logs alice bob
check alice "^sent to bob@localhost\$"
check bob "^message from alice@localhost/.*: while you were away\$"
end_check xmppkit offline || { cat "$DIR/server.log"; exit 1; }

# Message Carbons and the users' archives: Alice's second resource (carbons on) gets a copy of
# what her first one sends Bob; then each finds the whole conversation in their own archive.
begin_check
common=(--server 127.0.0.1:"$PORT" --insecure-tls)
"$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --carbons --wait 4 listen \
  >"$LOGS/alice2.log" 2>&1 &
second=$!
"$CLIENT" --jid bob@localhost --password bobpass "${common[@]}" --wait 4 listen >"$LOGS/bob.log" 2>&1 &
bob=$!
wait_log alice2 "^carbons enabled: true" || true
wait_log bob "^online as" || true
"$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 1 \
  send bob@localhost "kept in two archives" >"$LOGS/alice.log" 2>&1 || true
wait "$second" "$bob" || true
"$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 1 mam bob@localhost \
  >"$LOGS/alice-mam.log" 2>&1 || true
"$CLIENT" --jid bob@localhost --password bobpass "${common[@]}" --wait 1 mam alice@localhost \
  >"$LOGS/bob-mam.log" 2>&1 || true
show_logs alice2 bob alice-mam bob-mam
check alice2 "^carbons enabled: true\$"
check alice2 "^carbon sent to bob@localhost: kept in two archives\$"
check bob "^message from alice@localhost/.*: kept in two archives\$"
check alice-mam "^archived alice@localhost/.* -> bob@localhost: kept in two archives\$"
# The whole conversation on this server so far: the exchange, both resumption messages, the
# offline one and this one.
check alice-mam "^archive: 5 messages (complete: true)\$"
check bob-mam "^archive: 5 messages (complete: true)\$"
check bob-mam "^archived alice@localhost/.* -> bob@localhost: kept in two archives\$"
end_check xmppkit carbons-and-mam || { cat "$DIR/server.log"; exit 1; }

# Rosters and presence subscriptions (RFC 6121 §3): Alice asks to see Bob's presence, Bob
# approves; both rosters are pushed, and Alice receives Bob's current presence.
begin_check
"$CLIENT" --jid bob@localhost --password bobpass "${common[@]}" --approve --wait 4 listen \
  >"$LOGS/bob.log" 2>&1 &
bob=$!
wait_log bob "^online as" || true
"$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 2 subscribe bob@localhost \
  >"$LOGS/alice.log" 2>&1 || true
wait "$bob" || true
show_logs alice bob
check alice "^roster push: bob@localhost subscription=none ask\$"
check bob "^subscription request from alice@localhost\$"
check bob "^approved alice@localhost\$"
check bob "^roster push: alice@localhost subscription=from\$"
check alice "^roster push: bob@localhost subscription=to\$"
check alice "^subscribed by bob@localhost\$"
check alice "^presence from bob@localhost/.*: available\$"
end_check xmppkit subscriptions || { cat "$DIR/server.log"; exit 1; }

# Graceful shutdown: on Ctrl-C (SIGINT) the server closes every stream with the
# system-shutdown stream error (RFC 6120 §4.9.3.21), having acknowledged what it received.
begin_check
"$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 30 listen \
  >"$LOGS/alice.log" 2>&1 &
alice=$!
wait_log alice "^online as" || true
kill -INT "$PID"
wait "$alice" || true
wait "$PID" || true
PID=
show_logs alice
check alice "stream error from peer: system-shutdown"
grep -q "^unacknowledged" "$LOGS/alice.log" && { echo "FAILED: the server did not acknowledge before closing"; FAIL=1; }
grep -q "shutting down" "$DIR/server.log" || { echo "FAILED: the server did not log its shutdown"; FAIL=1; }
end_check xmppkit shutdown || { cat "$DIR/server.log"; exit 1; }

# The admin commands on a SQLite store, then a server started from a TOML config file on that
# store: the account added by the command logs in (and no demo accounts were made).
begin_check
CONF=$(mktemp -d)
SERVER=target/debug/examples/server
"$SERVER" --store sqlite:"$CONF/state.db" adduser Dave@localhost --password davepass >"$LOGS/admin.log" 2>&1
"$SERVER" --store sqlite:"$CONF/state.db" adduser erin@localhost --password erinpass >>"$LOGS/admin.log" 2>&1
"$SERVER" --store sqlite:"$CONF/state.db" deluser erin@localhost >>"$LOGS/admin.log" 2>&1
if "$SERVER" --store sqlite:"$CONF/state.db" deluser erin@localhost >>"$LOGS/admin.log" 2>&1; then
  echo "FAILED: deleting a deleted account succeeded"; FAIL=1
fi
"$SERVER" --store sqlite:"$CONF/state.db" users >>"$LOGS/admin.log" 2>&1
CPORT=$((PORT + 10))
cat >"$CONF/server.toml" <<TOML
domain = "localhost"
listen = ["127.0.0.1:$CPORT"]
store = "sqlite:$CONF/state.db"
shards = 2                        # the sharded paths (one shard is the SQLite default)
[limits]
max_queued_bytes = 262144
[services]
pubsub = false
TOML
"$SERVER" --config "$CONF/server.toml" >"$LOGS/server.log" 2>&1 &
CPID=$!
wait_port "$CPORT" || true
"$CLIENT" --jid dave@localhost --password davepass --server 127.0.0.1:"$CPORT" --insecure-tls \
  --wait 1 send dave@localhost "note to self" >"$LOGS/dave.log" 2>&1 || true
kill -INT "$CPID" 2>/dev/null || true
wait "$CPID" 2>/dev/null || true
"$SERVER" --store sqlite:"$CONF/state.db" users >"$LOGS/after.log" 2>&1
show_logs admin dave after
check admin "^dave@localhost\$"
grep -q "^erin@localhost" "$LOGS/admin.log" && { echo "FAILED: erin was not deleted"; FAIL=1; }
check admin "no account erin@localhost"
check after "^dave@localhost\$"
grep -q "^alice@localhost" "$LOGS/after.log" && { echo "FAILED: demo accounts in a store that had accounts"; FAIL=1; }
check dave "^online as dave@localhost/"
check dave "^message from dave@localhost/.*: note to self\$"
rm -rf "$CONF"
end_check xmppkit config-and-admin || { cat "$DIR/server.log"; exit 1; }
