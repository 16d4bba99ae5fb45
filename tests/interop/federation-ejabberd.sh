#!/usr/bin/env bash
# Federation with ejabberd 23.01 (Debian), on loopback: the example server at a.localhost and
# ejabberd at ejabberd.test exchange messages both ways, with self-signed certificates, so
# each side authenticates the other by dialback (XEP-0220), each finding the other by its SRV
# record on a small DNS server the test runs (ejabberd's domain is under .test: resolvers
# answer .localhost names themselves, RFC 6761); then an ejabberd user enters a room
# on a.localhost's MUC service, whose stanzas go on a.localhost's stream to ejabberd with a
# dialback key of the room domain's own (XEP-0220 §3 multiplexing). ejabberd finds a.localhost by an SRV
# record of a DNS server of the test's, as the example server finds ejabberd.test
# (--federation-dns, hickory-resolver).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

ensure_packages ejabberdctl ejabberd
PORT=${XMPPKIT_EJABBERD_FEDERATION_PORT:-25840}
E_C2S=$PORT; E_S2S=$((PORT + 1)); A_C2S=$((PORT + 2)); DNS=$((PORT + 3)); A_S2S=$((PORT + 4))
DIR=$(mktemp -d)
chmod 755 "$DIR"
sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$E_C2S#g" -e "s#@S2S@#$E_S2S#g" tests/interop/ejabberd/federation.yml.in >"$DIR/ejabberd.yml"
# ejabberd asks Erlang's own DNS client (inet_res) for SRV records, then the system's resolver for
# the target's address: its VM's inetrc (in its --config-dir, which ejabberdctl passes on) sends
# the DNS questions to a tiny server of ours whose SRV record for a.localhost points at
# localhost on the example server's s2s port (resolv.conf's servers off first: read after, they
# would replace ours).
cat >"$DIR/inetrc" <<RC
{resolv_conf, []}.
{nameserver, {127,0,0,1}, $DNS}.
RC
python3 tests/interop/ejabberd/dns.py "$DNS" a.localhost="$A_S2S" ejabberd.test="$E_S2S" >"$DIR/dns.log" 2>&1 &
DNS_PID=$!
cat >"$DIR/ejabberdctl.cfg" <<CFG
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"
EJABBERD_PID_PATH=$DIR/ejabberd.pid
ERLANG_NODE=xmppkitfed@localhost
INET_DIST_INTERFACE=127.0.0.1
CFG
export ERL_EPMD_ADDRESS=127.0.0.1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ejabberd.test \
  -addext "subjectAltName=DNS:ejabberd.test" -keyout "$DIR/e.key" -out "$DIR/e.crt" 2>/dev/null
cat "$DIR/e.key" "$DIR/e.crt" >"$DIR/ejabberd.pem"
mkdir -p "$DIR/spool" "$DIR/logs"
chown -R ejabberd:ejabberd "$DIR"
EJ=(ejabberdctl --config-dir "$DIR" --spool "$DIR/spool" --logs "$DIR/logs")
APID=
cleanup() {
  kill "$DNS_PID" 2>/dev/null || true
  if [ -n "$APID" ]; then kill -INT "$APID" 2>/dev/null || true; wait "$APID" 2>/dev/null || true; fi
  "${EJ[@]}" stop >/dev/null 2>&1 || true
  sleep 1
  if [ -s "$DIR/ejabberd.pid" ]; then kill -KILL "$(cat "$DIR/ejabberd.pid")" 2>/dev/null || true; fi
  if [ -n "${EJ_PID:-}" ]; then kill -KILL "$EJ_PID" 2>/dev/null || true; fi
  epmd -kill >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
cargo build --quiet --example server --example client
"${EJ[@]}" foreground >"$DIR/foreground.log" 2>&1 &
EJ_PID=$!
wait_port "$E_C2S" || { echo "ejabberd did not start:"; cat "$DIR/foreground.log" "$DIR"/logs/* 2>/dev/null; exit 1; }
"${EJ[@]}" register bob ejabberd.test bobpass
echo 'alice = "alicepass"' >"$DIR/alice.toml"
target/debug/examples/server --domain a.localhost --listen 127.0.0.1:$A_C2S --users "$DIR/alice.toml" \
  --store sqlite:"$DIR/a.db" --s2s-listen 127.0.0.1:$A_S2S \
  --federation-dns 127.0.0.1:$DNS --shards 1 >"$DIR/server.log" 2>&1 &
APID=$!
wait_port "$A_C2S" || { echo "the example server did not start:"; cat "$DIR/server.log"; exit 1; }

begin_check
"$CLIENT" --jid bob@ejabberd.test --password bobpass --server 127.0.0.1:$E_C2S --insecure-tls --wait 10 listen \
  >"$LOGS/bob.log" 2>&1 &
bob=$!
"$CLIENT" --jid alice@a.localhost --password alicepass --server 127.0.0.1:$A_C2S --insecure-tls --wait 9 listen \
  >"$LOGS/alice.log" 2>&1 &
alice=$!
wait_log bob "^online as" || true
wait_log alice "^online as" || true
"$CLIENT" --jid alice@a.localhost --password alicepass --server 127.0.0.1:$A_C2S --insecure-tls --wait 3 \
  send bob@ejabberd.test "hello ejabberd" >"$LOGS/alice-send.log" 2>&1 || true
"$CLIENT" --jid bob@ejabberd.test --password bobpass --server 127.0.0.1:$E_C2S --insecure-tls --wait 3 \
  send alice@a.localhost "hello xmppkit" >"$LOGS/bob-send.log" 2>&1 || true
wait "$bob" "$alice" || true
# The room: alice (a.localhost) opens it, bob (ejabberd.test) enters and talks.
room=lobby-$RANDOM@conference.a.localhost
"$CLIENT" --jid alice@a.localhost --password alicepass --server 127.0.0.1:$A_C2S --insecure-tls --wait 10 \
  muc "$room" alice "welcome" >"$LOGS/alice-room.log" 2>&1 &
alice=$!
wait_log alice-room "^message from $room/alice: welcome" || true
"$CLIENT" --jid bob@ejabberd.test --password bobpass --server 127.0.0.1:$E_C2S --insecure-tls --wait 5 \
  muc "$room" bob "hi from ejabberd" >"$LOGS/bob-room.log" 2>&1 || true
wait "$alice" || true
cp "$DIR/server.log" "$LOGS/server.log"
show_logs alice bob alice-room bob-room server
check bob-room "^joined $room as bob (created: false, codes: \\[110\\])\$"
check bob-room "^message from $room/bob: hi from ejabberd\$"
check alice-room "^occupant joined bob\$"
check alice-room "^message from $room/bob: hi from ejabberd\$"
check server "link conference.a.localhost -> ejabberd.test multiplexed on a.localhost's"
# The example server asked the DNS server for ejabberd.test's SRV record.
grep -q "^question _xmpp-server._tcp.ejabberd.test type 33" "$DIR/dns.log" \
  || { echo "FAILED: the example server did not look up ejabberd.test's SRV record"; FAIL=1; }
check bob "^message from alice@a.localhost/.*: hello ejabberd\$"
check alice "^message from bob@ejabberd.test/.*: hello xmppkit\$"
check server "link a.localhost -> ejabberd.test authenticated"
check server "s2s from ejabberd.test authenticated"
end_check ejabberd-federation dialback || { cat "$DIR/dns.log"; cat "$DIR"/logs/ejabberd.log 2>/dev/null | tail -60; exit 1; }
