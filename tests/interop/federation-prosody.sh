#!/usr/bin/env bash
# Federation with Prosody 0.12 (Debian), on loopback: the example server at a.localhost and
# Prosody at prosody.localhost exchange messages both ways, twice. First with self-signed
# certificates: each side authenticates the other with dialback (XEP-0220), each verifying the
# other's key on a stream of its own. Then with certificates from a throwaway CA that both trust:
# each side authenticates with SASL EXTERNAL (XEP-0178) and no dialback is asked for.
# Prosody finds a.localhost at 127.0.0.1 (libunbound answers every *.localhost so) on the
# standard port 5269, where the example server listens; the example server is told where
# prosody.localhost is (--federation-host / [federation.hosts]).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

ensure_packages prosody prosody
PORT=${XMPPKIT_PROSODY_FEDERATION_PORT:-25820}
P_C2S=$PORT; P_S2S=$((PORT + 1)); A_C2S=$((PORT + 2))
if (exec 3<>/dev/tcp/127.0.0.1/5269) 2>/dev/null; then
  echo "FAILED: something already listens on 127.0.0.1:5269, where Prosody looks for a.localhost"; exit 1
fi
DIR=$(mktemp -d)
PPID_=; APID=
stop() {
  if [ -n "$APID" ]; then kill -INT "$APID" 2>/dev/null || true; wait "$APID" 2>/dev/null || true; fi
  if [ -n "$PPID_" ]; then kill "$PPID_" 2>/dev/null || true; wait "$PPID_" 2>/dev/null || true; fi
  APID=; PPID_=
}
trap 'stop; rm -rf "$DIR"' EXIT
cargo build --quiet --example server --example client
echo 'alice = "alicepass"' >"$DIR/alice.toml"

# The certificates: self-signed ones, and ones from a throwaway CA.
( cd "$DIR"
  for name in a.localhost prosody.localhost; do
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$name" -addext "subjectAltName=DNS:$name" \
      -keyout "self-$name.key" -out "self-$name.crt" 2>/dev/null
  done
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=xmppkit-test-ca -keyout ca.key -out ca.crt 2>/dev/null
  for name in a.localhost prosody.localhost; do
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "ca-$name.key" -out "$name.csr" 2>/dev/null
    printf "subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n" "$name" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile "$name.ext" \
      -out "ca-$name.crt" 2>/dev/null
  done )

# run KIND: both servers with KIND's certificates (self | ca), messages both ways.
run() {
  local kind=$1 cafile=""
  rm -rf "$DIR/data" "$DIR/prosody.log"; mkdir -p "$DIR/data"
  cp "$DIR/$kind-prosody.localhost.key" "$DIR/prosody.key"
  cp "$DIR/$kind-prosody.localhost.crt" "$DIR/prosody.crt"
  [ "$kind" = ca ] && cafile=", cafile = \"$DIR/ca.crt\""
  sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$P_C2S#g" -e "s#@S2S@#$P_S2S#g" -e "s#@CAFILE@#$cafile#g" \
    tests/interop/prosody/federation.cfg.lua.in >"$DIR/prosody.cfg.lua"
  prosody --config "$DIR/prosody.cfg.lua" >"$DIR/prosody.stdout" 2>&1 &
  PPID_=$!
  wait_port "$P_C2S" || { echo "prosody did not start:"; cat "$DIR"/prosody.*; exit 1; }
  prosodyctl --config "$DIR/prosody.cfg.lua" register bob prosody.localhost bobpass
  {
    echo "domain = \"a.localhost\""
    echo "listen = [\"127.0.0.1:$A_C2S\"]"
    echo "store = \"sqlite:$DIR/$kind.db\""
    echo "accounts = \"$DIR/alice.toml\""
    echo "[tls]"
    echo "certificate = \"$DIR/$kind-a.localhost.crt\""
    echo "key = \"$DIR/$kind-a.localhost.key\""
    echo "[federation]"
    echo "listen = [\"127.0.0.1:5269\"]"
    [ "$kind" = ca ] && echo "ca = \"$DIR/ca.crt\""
    echo "[federation.hosts]"
    echo "\"prosody.localhost\" = \"127.0.0.1:$P_S2S\""
  } >"$DIR/server.toml"
  target/debug/examples/server --config "$DIR/server.toml" >"$DIR/server.log" 2>&1 &
  APID=$!
  wait_port "$A_C2S" || { echo "the example server did not start:"; cat "$DIR/server.log"; exit 1; }
  begin_check
  "$CLIENT" --jid bob@prosody.localhost --password bobpass --server 127.0.0.1:$P_C2S --insecure-tls --wait 8 listen \
    >"$LOGS/bob.log" 2>&1 &
  local bob=$!
  "$CLIENT" --jid alice@a.localhost --password alicepass --server 127.0.0.1:$A_C2S --insecure-tls --wait 7 listen \
    >"$LOGS/alice.log" 2>&1 &
  local alice=$!
  wait_log bob "^online as" || true
  wait_log alice "^online as" || true
  "$CLIENT" --jid alice@a.localhost --password alicepass --server 127.0.0.1:$A_C2S --insecure-tls --wait 2 \
    send bob@prosody.localhost "hello prosody" >"$LOGS/alice-send.log" 2>&1 || true
  "$CLIENT" --jid bob@prosody.localhost --password bobpass --server 127.0.0.1:$P_C2S --insecure-tls --wait 2 \
    send alice@a.localhost "hello xmppkit" >"$LOGS/bob-send.log" 2>&1 || true
  wait "$bob" "$alice" || true
  stop
  cp "$DIR/server.log" "$LOGS/server.log"
  cp "$DIR/prosody.log" "$LOGS/prosody.log"
  show_logs alice bob server
  check bob "^message from alice@a.localhost/.*: hello prosody\$"
  check alice "^message from bob@prosody.localhost/.*: hello xmppkit\$"
  check server "link a.localhost -> prosody.localhost authenticated"
  check server "s2s from prosody.localhost authenticated"
  if [ "$kind" = self ]; then
    # Prosody asked a.localhost whether the key was its own, and a.localhost asked Prosody.
    check prosody "verified dialback key... it is valid"
    check prosody "Received\[s2sout\]: <verify .*type='valid'"
  else
    check prosody "Accepting SASL EXTERNAL identity from a.localhost"
    check prosody "SASL EXTERNAL with a.localhost succeeded"
    grep -q "dialback key" "$LOGS/prosody.log" && { echo "FAILED: dialback was used with certificates"; FAIL=1; }
  fi
  end_check prosody-federation "$kind-certificates" || { cat "$LOGS/prosody.log" | tail -80; exit 1; }
}
run self
run ca
