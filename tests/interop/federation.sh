#!/usr/bin/env bash
# Federation and external components with real peers, on loopback. Two example servers,
# a.localhost and b.localhost, each told where the other is (--federation-host), authenticate
# their server-to-server links with dialback over TLS (direct TLS, XEP-0368, from b to a and
# STARTTLS from b to a's MUC domain), each link carrying both directions (XEP-0288): a message each way, a presence
# subscription across domains, a room on a.localhost's MUC joined from b.localhost, and each
# side's archive. A bad peer is refused (a stream to a domain not served, a stanza before
# authentication). Then slixmpp's ComponentXMPP (PyPI) logs in to a.localhost as an external
# component (XEP-0114) and answers a message.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

BASE=${XMPPKIT_FEDERATION_PORT:-25700}
A_C2S=$BASE; B_C2S=$((BASE + 1)); A_S2S=$((BASE + 2)); B_S2S=$((BASE + 3)); A_COMP=$((BASE + 4))
SILENT=$((BASE + 5)); CLOSED=$((BASE + 6)); A_TLS=$((BASE + 7))
DIR=$(mktemp -d)
PIDS=()
# A "server" that accepts connections and never says a word (stopped with TERM: a background
# job of a script ignores SIGINT).
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $SILENT)); s.listen(8)
held = []
while True:
    held.append(s.accept()[0])
" &
SILENT_PID=$!
trap 'kill "$SILENT_PID" 2>/dev/null || true; for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT
cargo build --quiet --example server --example client
echo 'alice = "alicepass"' >"$DIR/a.toml"
echo 'bob = "bobpass"' >"$DIR/b.toml"
target/debug/examples/server --domain a.localhost --listen 127.0.0.1:$A_C2S --users "$DIR/a.toml" \
  --store sqlite:"$DIR/a.db" --s2s-listen 127.0.0.1:$A_S2S --s2s-direct-tls-listen 127.0.0.1:$A_TLS \
  --federation-host b.localhost=127.0.0.1:$B_S2S \
  --federation-host silent.localhost=127.0.0.1:$SILENT --federation-host closed.localhost=127.0.0.1:$CLOSED \
  --federation-timeout 3 \
  --component-listen 127.0.0.1:$A_COMP --component echo.a.localhost=s3cr3t >"$DIR/a.log" 2>&1 &
PIDS+=($!)
target/debug/examples/server --domain b.localhost --listen 127.0.0.1:$B_C2S --users "$DIR/b.toml" \
  --store sqlite:"$DIR/b.db" --s2s-listen 127.0.0.1:$B_S2S \
  --federation-host a.localhost=tls:127.0.0.1:$A_TLS \
  --federation-host conference.a.localhost=127.0.0.1:$A_S2S >"$DIR/b.log" 2>&1 &
PIDS+=($!)
for port in $A_C2S $B_C2S $A_S2S $B_S2S $A_COMP $A_TLS; do
  wait_port "$port" || { echo "a server did not start:"; cat "$DIR/a.log" "$DIR/b.log"; exit 1; }
done
A=(--server 127.0.0.1:$A_C2S --insecure-tls)
B=(--server 127.0.0.1:$B_C2S --insecure-tls)
fail_with_logs() { echo "--- a.localhost"; cat "$DIR/a.log"; echo "--- b.localhost"; cat "$DIR/b.log"; exit 1; }

# 1:1 chat both ways, then both archives.
begin_check
"$CLIENT" --jid bob@b.localhost --password bobpass "${B[@]}" --wait 6 listen >"$LOGS/bob.log" 2>&1 &
bob=$!
wait_log bob "^online as" || true
"$CLIENT" --jid alice@a.localhost --password alicepass "${A[@]}" --wait 5 listen >"$LOGS/alice.log" 2>&1 &
alice=$!
wait_log alice "^online as" || true
"$CLIENT" --jid bob@b.localhost --password bobpass "${B[@]}" --wait 1 send alice@a.localhost "hello a" \
  >"$LOGS/bob-send.log" 2>&1 || true
"$CLIENT" --jid alice@a.localhost --password alicepass "${A[@]}" --wait 1 send bob@b.localhost "hello b" \
  >"$LOGS/alice-send.log" 2>&1 || true
wait "$bob" "$alice" || true
"$CLIENT" --jid alice@a.localhost --password alicepass "${A[@]}" --wait 1 mam bob@b.localhost \
  >"$LOGS/alice-mam.log" 2>&1 || true
"$CLIENT" --jid bob@b.localhost --password bobpass "${B[@]}" --wait 1 mam alice@a.localhost \
  >"$LOGS/bob-mam.log" 2>&1 || true
show_logs bob alice alice-mam bob-mam
check bob "^message from alice@a.localhost/.*: hello b\$"
check alice "^message from bob@b.localhost/.*: hello a\$"
check alice-mam "^archive: 2 messages (complete: true)\$"
check bob-mam "^archive: 2 messages (complete: true)\$"
end_check federation chat-and-mam || fail_with_logs
# b.localhost dialed a.localhost with direct TLS (XEP-0368) and dialback; a.localhost's answer
# went back on that stream (XEP-0288), nothing dialed the other way.
grep -q "link b.localhost -> a.localhost authenticated" "$DIR/b.log" || { echo "FAILED: no link b -> a"; fail_with_logs; }
grep -q "s2s from b.localhost authenticated (direct TLS)" "$DIR/a.log" || { echo "FAILED: no direct TLS link b -> a"; fail_with_logs; }
grep -q "link a.localhost -> b.localhost on b.localhost's stream (bidi)" "$DIR/a.log" || { echo "FAILED: a did not answer on b's stream"; fail_with_logs; }
grep -q "link a.localhost -> b.localhost authenticated" "$DIR/a.log" && { echo "FAILED: a dialed b although b's stream was bidirectional"; fail_with_logs; }

# A presence subscription across domains (RFC 6121 §3).
begin_check
"$CLIENT" --jid bob@b.localhost --password bobpass "${B[@]}" --approve --wait 5 listen >"$LOGS/bob.log" 2>&1 &
bob=$!
wait_log bob "^online as" || true
"$CLIENT" --jid alice@a.localhost --password alicepass "${A[@]}" --wait 3 subscribe bob@b.localhost \
  >"$LOGS/alice.log" 2>&1 || true
wait "$bob" || true
show_logs alice bob
check bob "^subscription request from alice@a.localhost\$"
check bob "^approved alice@a.localhost\$"
check alice "^roster push: bob@b.localhost subscription=to\$"
check alice "^subscribed by bob@b.localhost\$"
check alice "^presence from bob@b.localhost/.*: available\$"
end_check federation subscription || fail_with_logs

# A room on a.localhost, entered from b.localhost.
begin_check
room=lobby-$RANDOM@conference.a.localhost
"$CLIENT" --jid alice@a.localhost --password alicepass "${A[@]}" --wait 8 \
  muc "$room" alice "hello b" >"$LOGS/alice.log" 2>&1 &
alice=$!
wait_log alice "^message from $room/alice: hello b" || true
"$CLIENT" --jid bob@b.localhost --password bobpass "${B[@]}" --wait 3 \
  muc "$room" bob "hi from b" >"$LOGS/bob.log" 2>&1 || true
wait "$alice" || true
show_logs alice bob
check bob "^joined $room as bob (created: false, codes: \[110\])\$"
check bob "^occupants before us: \[\"alice\"\]\$"
check alice "^occupant joined bob\$"
check alice "^message from $room/bob: hi from b\$"
check bob "^message from $room/bob: hi from b\$"
end_check federation muc || fail_with_logs

# Bad peers, by hand on a.localhost's s2s port: a stream to a domain it does not serve, a
# stanza before any authentication, and (over TLS) a dialback key for b.localhost that
# b.localhost, asked by a.localhost, says is not its own.
begin_check
python3 - "$A_S2S" >"$LOGS/raw.log" 2>&1 <<'PY' || true
import socket, ssl, sys, time
PORT = int(sys.argv[1])
HEAD = ("<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' "
        "xmlns:stream='http://etherx.jabber.org/streams' from='%s' to='%s' version='1.0'>")
def read(s, until, seconds=5):
    out, end = b"", time.time() + seconds
    while until.encode() not in out and time.time() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        out += chunk
    return out.decode(errors="replace")
def opened(sender, target):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=1)
    s.sendall((HEAD % (sender, target)).encode())
    return s
print("unknown host:", "host-unknown" in read(opened("evil.localhost", "c.localhost"), "</stream:stream>"))
s = opened("b.localhost", "a.localhost")
s.sendall(b"<message from='x@b.localhost' to='alice@a.localhost'><body>spoof</body></message>")
print("stanza before authentication:", "policy-violation" in read(s, "</stream:stream>"))
s = opened("b.localhost", "a.localhost")
read(s, "</stream:features>")
s.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
read(s, "<proceed")
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
s = context.wrap_socket(s, server_hostname="a.localhost")
s.sendall((HEAD % ("b.localhost", "a.localhost")).encode())
read(s, "</stream:features>")
s.sendall(b"<db:result from='b.localhost' to='a.localhost'>0badc0ffee</db:result>")
answer = read(s, "</stream:stream>", 10)
print("forged key:", "type='invalid'" in answer and "</stream:stream>" in answer)
PY
show_logs raw
check raw "^unknown host: True\$"
check raw "^stanza before authentication: True\$"
check raw "^forged key: True\$"
end_check federation bad-peers || fail_with_logs

# What senders get when the other server cannot be had (RFC 6120 §8.3.3.13-14): a port where
# nothing listens, and a server that accepts the connection and never answers (3 s timeout).
begin_check
"$CLIENT" --jid alice@a.localhost --password alicepass "${A[@]}" --wait 5 send zed@closed.localhost "anyone?" \
  >"$LOGS/closed.log" 2>&1 || true
"$CLIENT" --jid alice@a.localhost --password alicepass "${A[@]}" --wait 6 send zed@silent.localhost "anyone?" \
  >"$LOGS/silent.log" 2>&1 || true
show_logs closed silent
check closed "type='error'.*<remote-server-not-found "
check silent "type='error'.*<remote-server-timeout "
end_check federation unreachable || fail_with_logs

# An external component (XEP-0114): slixmpp's ComponentXMPP at echo.a.localhost.
VENV=${XMPPKIT_VENV:-target/slixmpp-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import slixmpp" 2>/dev/null; then
  echo "== installing slixmpp"
  python3 -m venv "$VENV" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$VENV"; }
  "$VENV/bin/pip" install -q slixmpp
fi
begin_check
"$VENV/bin/python" tests/interop/federation/echo_component.py echo.a.localhost s3cr3t $A_COMP 6 \
  >"$LOGS/component.log" 2>&1 &
component=$!
wait_log component "^component online" || true
"$CLIENT" --jid alice@a.localhost --password alicepass "${A[@]}" --wait 2 send bot@echo.a.localhost "ping" \
  >"$LOGS/alice.log" 2>&1 || true
wait "$component" || true
# Once it left, a wrong secret for its domain is refused (not-authorized, not a conflict).
"$VENV/bin/python" tests/interop/federation/echo_component.py echo.a.localhost wrong $A_COMP 2 \
  >"$LOGS/intruder.log" 2>&1 || true
show_logs component alice intruder
check component "^component online\$"
check component "^component got ping from alice@a.localhost/"
check alice "^message from bot@echo.a.localhost: echo: ping\$"
grep -q "^component online" "$LOGS/intruder.log" && { echo "FAILED: a wrong secret logged in"; FAIL=1; }
grep -q "component from .*: stream error sent to peer: not-authorized" "$DIR/a.log" \
  || { echo "FAILED: the wrong secret was not refused with not-authorized"; FAIL=1; }
end_check federation component || fail_with_logs
