#!/usr/bin/env bash
# The load comparison of docs/benchmarks.md: the example server, Prosody 0.12 and ejabberd 23.01
# (Debian packages, configs beside this script) on 127.0.0.1, one after the other, each measured
# with examples/load: USERS users in pairs exchanging MESSAGES messages each way, then IDLE idle
# authenticated connections of one account for the memory per connection.
# With SLOW=N, then a reader that stops reading while another user sends it N messages of 1 KiB
# (`load --slow-reader`): the server's memory before, at its peak and after.
# STORES names the example server's stores to run it on, one after the other (`memory`, `sqlite`,
# `postgres`: a throwaway PostgreSQL 15 cluster with fsync on, tests/postgres/cluster.sh).
# SHARDS lists the example server's `--shards` to run each store with (default: one per core).
# `relay` in SERVERS adds the floor: examples/relay logs the same users in and then parses
# nothing, writing each user's bytes to its partner (TCP, TLS and tokio alone).
# SERVER_CPUS and LOAD_CPUS pin the servers and the load generator to CPUs (`taskset -c`).
#   USERS=100 MESSAGES=200 IDLE=10000 [RATE=2000] [SLOW=95000] [STORES="memory sqlite"] [SHARDS="1 2"] [SERVER_CPUS=1 LOAD_CPUS=0] [SERVERS="xmppkit relay prosody ejabberd"] bash tests/load/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

USERS=${USERS:-100}
MESSAGES=${MESSAGES:-200}
IDLE=${IDLE:-10000}
PORT=${XMPPKIT_LOAD_PORT:-25500}
SERVERS=${SERVERS:-xmppkit relay prosody ejabberd}
STORES=${STORES:-memory sqlite}
SHARDS=${SHARDS:-$(nproc)}
pin() { if [ -n "${1:-}" ]; then echo taskset -c "$1"; fi; }
read -r -a ON_SERVER_CPUS <<< "$(pin "${SERVER_CPUS:-}")"
read -r -a ON_LOAD_CPUS <<< "$(pin "${LOAD_CPUS:-}")"
wanted() { [[ " $SERVERS " == *" $1 "* ]]; }
ulimit -n "$(ulimit -Hn)"
cargo build --quiet --release --example server --example load --example relay
LOAD=target/release/examples/load
load() {
  local pid=$1
  "${ON_LOAD_CPUS[@]}" "$LOAD" --server 127.0.0.1:"$PORT" --users "$USERS" --messages "$MESSAGES" ${RATE:+--rate "$RATE"} --server-pid "$pid"
  "${ON_LOAD_CPUS[@]}" "$LOAD" --server 127.0.0.1:"$PORT" --idle "$IDLE" --server-pid "$pid"
  if [ -n "${SLOW:-}" ]; then
    "${ON_LOAD_CPUS[@]}" "$LOAD" --server 127.0.0.1:"$PORT" --slow-reader "$SLOW" --server-pid "$pid"
  fi
}

if wanted xmppkit; then
for store in $STORES; do
for shards in $SHARDS; do
echo "== xmppkit example server, $store store, $shards shard(s)"
DIR=$(mktemp -d)
{ for i in $(seq 0 $((USERS - 1))); do echo "user$i = \"pass\""; done; echo 'idle = "pass"'; } > "$DIR/users.toml"
case $store in
  sqlite) spec=sqlite:"$DIR/state.db" ;;
  postgres)
    . tests/postgres/cluster.sh
    PG_FSYNC=on pg_start
    spec="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    ;;
  *) spec=$store ;;
esac
"${ON_SERVER_CPUS[@]}" target/release/examples/server --domain localhost --listen 127.0.0.1:"$PORT" \
  --users "$DIR/users.toml" --store "$spec" --shards "$shards" --max-connections 20000 --rate 100000000 \
  >"$DIR/server.log" 2>&1 &
PID=$!
wait_port "$PORT"
load "$PID"
kill -INT "$PID"; wait "$PID" || true
rm -rf "$DIR"
if [ "$store" = postgres ]; then pg_stop; fi
done
done
fi

if wanted relay; then
echo "== relay (examples/relay: login, then bytes to the partner, nothing parsed)"
"${ON_SERVER_CPUS[@]}" target/release/examples/relay --listen 127.0.0.1:"$PORT" --users "$USERS" >/dev/null 2>&1 &
PID=$!
wait_port "$PORT"
load "$PID"
kill -INT "$PID"; wait "$PID" || true
fi

if wanted prosody; then
echo "== Prosody"
ensure_packages prosody prosody
DIR=$(mktemp -d)
sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$PORT#g" tests/load/prosody.cfg.lua.in > "$DIR/prosody.cfg.lua"
mkdir -p "$DIR/data"
make_cert "$DIR"
"${ON_SERVER_CPUS[@]}" prosody --config "$DIR/prosody.cfg.lua" >"$DIR/stdout.log" 2>&1 &
PID=$!
wait_port "$PORT"
for i in $(seq 0 $((USERS - 1))); do prosodyctl --config "$DIR/prosody.cfg.lua" register "user$i" localhost pass; done
prosodyctl --config "$DIR/prosody.cfg.lua" register idle localhost pass
load "$PID"
kill "$PID"; wait "$PID" || true
rm -rf "$DIR"
fi

if wanted ejabberd; then
echo "== ejabberd"
ensure_packages ejabberdctl ejabberd
DIR=$(mktemp -d)
chmod 755 "$DIR"
sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$PORT#g" tests/load/ejabberd.yml.in > "$DIR/ejabberd.yml"
cat > "$DIR/ejabberdctl.cfg" <<CFG
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"
EJABBERD_PID_PATH=$DIR/ejabberd.pid
ERLANG_NODE=xmppkitload@localhost
INET_DIST_INTERFACE=127.0.0.1
ERL_MAX_PORTS=65536
CFG
export ERL_EPMD_ADDRESS=127.0.0.1
make_cert "$DIR"
mkdir -p "$DIR/spool" "$DIR/logs"
chown -R ejabberd:ejabberd "$DIR"
EJ=(ejabberdctl --config-dir "$DIR" --spool "$DIR/spool" --logs "$DIR/logs")
"${EJ[@]}" foreground >"$DIR/foreground.log" 2>&1 &
wait_port "$PORT"
for i in $(seq 0 $((USERS - 1))); do "${EJ[@]}" register "user$i" localhost pass >/dev/null 2>&1; done
"${EJ[@]}" register idle localhost pass >/dev/null 2>&1
BEAM=$(pgrep -f "beam.*xmppkitload@localhost" | head -1)
# ejabberdctl runs the VM as the ejabberd user (via su), whose descriptor limit is 1024 here;
# neither prlimit nor a ulimit in ejabberdctl.cfg raised it on these machines, so the idle run
# stays below it.
IDLE=${IDLE_EJABBERD:-900}
load "$BEAM"
"${EJ[@]}" stop >/dev/null 2>&1 || true
sleep 2
kill "$BEAM" 2>/dev/null || true
epmd -kill >/dev/null 2>&1 || true
rm -rf "$DIR"
fi
