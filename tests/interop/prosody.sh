#!/usr/bin/env bash
# Interop test: the client example against a real Prosody (Debian package) on 127.0.0.1.
# Alice logs in over STARTTLS with SCRAM-SHA-1 and sends a message; Bob, logged in with the
# client's default preference, must receive it.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v prosody >/dev/null || ! command -v openssl >/dev/null; then
  echo "== installing prosody and openssl"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prosody openssl >/dev/null
fi

cargo build --quiet --example client
CLIENT=target/debug/examples/client
DIR=$(mktemp -d)
PORT=${XMPPKIT_PROSODY_PORT:-25222}
PROSODY_PID=
BOB_PID=
cleanup() {
  [ -n "$BOB_PID" ] && kill "$BOB_PID" 2>/dev/null || true
  [ -n "$PROSODY_PID" ] && kill "$PROSODY_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ "${KEEP:-}" != 1 ]; then rm -rf "$DIR"; fi
}
trap cleanup EXIT

sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$PORT#g" tests/interop/prosody/prosody.cfg.lua.in > "$DIR/prosody.cfg.lua"
mkdir -p "$DIR/data"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -keyout "$DIR/localhost.key" -out "$DIR/localhost.crt" 2>/dev/null

prosody --config "$DIR/prosody.cfg.lua" >"$DIR/stdout.log" 2>&1 &
PROSODY_PID=$!
for _ in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then break; fi
  sleep 0.2
done
if ! (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then
  echo "prosody did not start:"; cat "$DIR/stdout.log" "$DIR/prosody.log" 2>/dev/null || true; exit 1
fi
prosodyctl --config "$DIR/prosody.cfg.lua" register alice localhost alicepass
prosodyctl --config "$DIR/prosody.cfg.lua" register bob localhost bobpass

"$CLIENT" --jid bob@localhost --password bobpass --server 127.0.0.1:"$PORT" --insecure-tls \
  --wait 8 listen >"$DIR/bob.log" 2>&1 &
BOB_PID=$!
for _ in $(seq 1 50); do grep -q "^online as" "$DIR/bob.log" && break; sleep 0.2; done

"$CLIENT" --jid alice@localhost --password alicepass --server 127.0.0.1:"$PORT" --insecure-tls \
  --mechanism SCRAM-SHA-1 --wait 1 send bob@localhost "hello from xmppkit" >"$DIR/alice.log" 2>&1 || {
  echo "alice failed:"; cat "$DIR/alice.log"; cat "$DIR/prosody.log"; exit 1; }
wait "$BOB_PID" || { echo "bob failed:"; cat "$DIR/bob.log"; exit 1; }
BOB_PID=

echo "--- alice"; cat "$DIR/alice.log"
echo "--- bob"; cat "$DIR/bob.log"
fail=0
check() { grep -q "$2" "$DIR/$1.log" || { echo "FAILED: $1 did not log: $2"; fail=1; }; }
check alice "^tls established"
check alice "^authenticated with SCRAM-SHA-1$"
check alice "^online as alice@localhost/"
check alice "^sent to bob@localhost"
check alice "^closed$"
check bob "^tls established"
check bob "^authenticated with SCRAM-SHA-"
check bob "^message from alice@localhost/.*: hello from xmppkit$"
check bob "^closed$"
if [ "$fail" = 0 ]; then echo "prosody interop: 1 passed, 0 failed"; else echo "prosody interop: 0 passed, 1 failed"; exit 1; fi
