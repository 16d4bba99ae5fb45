#!/usr/bin/env bash
# The example server, checked with the same client-example scenarios as Prosody and ejabberd:
# login over STARTTLS with SCRAM-SHA-256 and a message between two accounts, a MUC room created,
# entered, talked in and left, and a pubsub node created, subscribed to and published on.
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
