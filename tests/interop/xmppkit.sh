#!/usr/bin/env bash
# The example server, checked with the same client-example scenarios as Prosody and ejabberd:
# login over STARTTLS with SCRAM-SHA-256 and a message between two accounts, a MUC room created,
# entered, talked in and left, a pubsub node created, subscribed to and published on, and
# XEP-0198 resumption after the client's socket is reset. Then offline storage: a message to an
# account with no resource online arrives when it logs in.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

DIR=$(mktemp -d)
PORT=${XMPPKIT_SERVER_PORT:-25224}
PID=
cleanup() {
  [ -n "$PID" ] && kill -INT "$PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

cat > "$DIR/users.toml" <<USERS
alice = "alicepass"
bob = "bobpass"
USERS
cargo build --quiet --example server
target/debug/examples/server --domain localhost --listen 127.0.0.1:"$PORT" --users "$DIR/users.toml" \
  >"$DIR/server.log" 2>&1 &
PID=$!
wait_port "$PORT" || { echo "the server did not start:"; cat "$DIR/server.log"; exit 1; }

exchange xmppkit "$PORT" SCRAM-SHA-256 || { cat "$DIR/server.log"; exit 1; }
muc_room xmppkit "$PORT" || { cat "$DIR/server.log"; exit 1; }
pubsub_node xmppkit "$PORT" || { cat "$DIR/server.log"; exit 1; }
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
