#!/usr/bin/env bash
# Interop test: the client example against a real ejabberd (Debian package, 23.01) on 127.0.0.1,
# with accounts stored as SCRAM-SHA-256 keys: Alice logs in over STARTTLS with SCRAM-SHA-256 and
# sends a message that Bob must receive.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

ensure_packages ejabberdctl ejabberd
DIR=$(mktemp -d)
PORT=${XMPPKIT_EJABBERD_PORT:-25223}
chmod 755 "$DIR"
sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$PORT#g" tests/interop/ejabberd/ejabberd.yml.in > "$DIR/ejabberd.yml"
# Our own ejabberdctl.cfg: the packaged one points at /etc/ejabberd. Erlang distribution and epmd
# stay on loopback.
cat > "$DIR/ejabberdctl.cfg" <<CFG
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"
EJABBERD_PID_PATH=$DIR/ejabberd.pid
ERLANG_NODE=xmppkit@localhost
INET_DIST_INTERFACE=127.0.0.1
CFG
export ERL_EPMD_ADDRESS=127.0.0.1
make_cert "$DIR"
mkdir -p "$DIR/spool" "$DIR/logs"
chown -R ejabberd:ejabberd "$DIR"   # ejabberdctl always runs as the ejabberd user
EJ=(ejabberdctl --config-dir "$DIR" --spool "$DIR/spool" --logs "$DIR/logs")
cleanup() {
  "${EJ[@]}" stop >/dev/null 2>&1 || true
  sleep 1
  # The VM, if it outlived `stop`: by the pid it wrote (EJABBERD_PID_PATH), then the launcher.
  if [ -s "$DIR/ejabberd.pid" ]; then kill -KILL "$(cat "$DIR/ejabberd.pid")" 2>/dev/null || true; fi
  if [ -n "${EJ_PID:-}" ]; then kill -KILL "$EJ_PID" 2>/dev/null || true; fi
  epmd -kill >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

"${EJ[@]}" foreground >"$DIR/foreground.log" 2>&1 &
EJ_PID=$!
wait_port "$PORT" || { echo "ejabberd did not start:"; cat "$DIR/foreground.log" "$DIR"/logs/* 2>/dev/null; exit 1; }
"${EJ[@]}" register alice localhost alicepass
"${EJ[@]}" register bob localhost bobpass

exchange ejabberd "$PORT" SCRAM-SHA-256 || { cat "$DIR"/logs/ejabberd.log 2>/dev/null; exit 1; }
resumption ejabberd "$PORT" || { cat "$DIR"/logs/ejabberd.log 2>/dev/null; exit 1; }
muc_room ejabberd "$PORT" || { cat "$DIR"/logs/ejabberd.log 2>/dev/null; exit 1; }
pubsub_node ejabberd "$PORT" || { cat "$DIR"/logs/ejabberd.log 2>/dev/null; exit 1; }
