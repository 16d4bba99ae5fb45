#!/usr/bin/env bash
# Interop test: the client example against a real Prosody (Debian package, 0.12) on 127.0.0.1.
# Alice logs in over STARTTLS with SCRAM-SHA-1 and sends a message; Bob, logged in with the
# client's default preference, must receive it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

ensure_packages prosody prosody
DIR=$(mktemp -d)
PORT=${XMPPKIT_PROSODY_PORT:-25222}
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$PORT#g" tests/interop/prosody/prosody.cfg.lua.in > "$DIR/prosody.cfg.lua"
mkdir -p "$DIR/data"
make_cert "$DIR"
prosody --config "$DIR/prosody.cfg.lua" >"$DIR/stdout.log" 2>&1 &
PID=$!
wait_port "$PORT" || { echo "prosody did not start:"; cat "$DIR"/*.log; exit 1; }
prosodyctl --config "$DIR/prosody.cfg.lua" register alice localhost alicepass
prosodyctl --config "$DIR/prosody.cfg.lua" register bob localhost bobpass

exchange prosody "$PORT" SCRAM-SHA-1 || { cat "$DIR/prosody.log"; exit 1; }
resumption prosody "$PORT" || { cat "$DIR/prosody.log"; exit 1; }
muc_room prosody "$PORT" || { cat "$DIR/prosody.log"; exit 1; }
pubsub_node prosody "$PORT" || { cat "$DIR/prosody.log"; exit 1; }
mds_sync prosody "$PORT" || { cat "$DIR/prosody.log"; exit 1; }
