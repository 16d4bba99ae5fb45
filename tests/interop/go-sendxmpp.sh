#!/usr/bin/env bash
# go-sendxmpp (Debian's package; Go, go-xmpp) against the example server: a 1:1 message from one
# go-sendxmpp to another listening with -l, and a message into a MUC room that the client example
# created and sits in. go-sendxmpp logs in with PLAIN over STARTTLS and writes `</auth>\n` before
# the restarted stream's `<?xml?>` declaration, and an empty `<show/>` in its presence: both
# must be accepted (RFC 6120 §4.3.3, RFC 6121 §4.7.2.1).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

ensure_packages go-sendxmpp go-sendxmpp
PORT=${XMPPKIT_GOSENDXMPP_PORT:-25226}
start_example_server "$PORT" alice bob
gsx=(go-sendxmpp -n -j 127.0.0.1:"$PORT")

begin_check
timeout 8 "${gsx[@]}" -u bob@localhost -p bobpass -l >"$LOGS/bob.log" 2>&1 &
bob=$!
wait_log_server() { for _ in $(seq 1 100); do grep -q "$1" "$DIR/server.log" && return 0; sleep 0.1; done; return 1; }
wait_log_server "bob@localhost/.* online" || true
sleep 0.5
echo "hello from go-sendxmpp" | timeout 10 "${gsx[@]}" -u alice@localhost -p alicepass bob@localhost \
  >"$LOGS/alice.log" 2>&1 || echo "go-sendxmpp exited with $?" >>"$LOGS/alice.log"
wait_log bob "hello from go-sendxmpp" || true
kill "$bob" 2>/dev/null || true
wait "$bob" 2>/dev/null || true
show_logs alice bob
check bob "alice@localhost: hello from go-sendxmpp\$"
if grep -q . "$LOGS/alice.log"; then echo "FAILED: go-sendxmpp (alice) said something"; FAIL=1; fi
end_check go-sendxmpp message || { cat "$DIR/server.log"; exit 1; }

begin_check
room=pub-$RANDOM@conference.localhost
"$CLIENT" --jid alice@localhost --password alicepass --server 127.0.0.1:"$PORT" --insecure-tls \
  --wait 5 muc "$room" alice "room open" >"$LOGS/alice.log" 2>&1 &
alice=$!
wait_log alice "^accepted the instant room" || true
echo "hello room" | timeout 10 "${gsx[@]}" -u bob@localhost -p bobpass -a bobnick -c "$room" \
  >"$LOGS/bob.log" 2>&1 || echo "go-sendxmpp exited with $?" >>"$LOGS/bob.log"
wait "$alice" || true
show_logs alice bob
check alice "^occupant joined bobnick\$"
check alice "^message from $room/bobnick: hello room\$"
if grep -q . "$LOGS/bob.log"; then echo "FAILED: go-sendxmpp (bob) said something"; FAIL=1; fi
end_check go-sendxmpp muc || { cat "$DIR/server.log"; exit 1; }
