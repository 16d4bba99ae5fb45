#!/usr/bin/env bash
# Real clients against the example server: slixmpp (PyPI, in a virtualenv) logs in over STARTTLS
# with SCRAM, exchanges messages with carbons to a second resource, queries MAM, uses a MUC room
# with three users (join, messages, history, kick) and its read markers, a pubsub node, and
# resumes its stream after its socket is killed, with no message lost.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

VENV=${XMPPKIT_VENV:-target/slixmpp-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import slixmpp" 2>/dev/null; then
  echo "== installing slixmpp"
  python3 -m venv "$VENV" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$VENV"; }
  "$VENV/bin/pip" install -q slixmpp
fi

DIR=$(mktemp -d)
PORT=${XMPPKIT_SLIXMPP_PORT:-25225}
PID=
cleanup() {
  [ -n "$PID" ] && kill -INT "$PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
printf 'alice = "alicepass"\nbob = "bobpass"\ncarol = "carolpass"\ndave = "davepass"\n' > "$DIR/users.toml"
cargo build --quiet --example server
target/debug/examples/server --domain localhost --listen 127.0.0.1:"$PORT" --users "$DIR/users.toml" \
  >"$DIR/server.log" 2>&1 &
PID=$!
wait_port "$PORT" || { echo "the server did not start:"; cat "$DIR/server.log"; exit 1; }
timeout 120 "$VENV/bin/python" tests/interop/slixmpp/scenarios.py "$PORT" || { cat "$DIR/server.log"; exit 1; }
