#!/usr/bin/env bash
# A flame graph of the example server under the load run's exchange (docs/flamegraph-load.svg):
# the server built in release mode with debug information (its own target directory), sampled by
# `perf record` (the CPU clock, so it works where hardware counters are not offered; call stacks
# by DWARF unwinding) for the whole exchange of `examples/load`, then folded and drawn by inferno
# (`cargo install inferno`). Needs `perf` (Debian's linux-perf). Not run by CI.
#   USERS=100 MESSAGES=200 STORE=memory SHARDS=1 OUT=docs/flamegraph-load.svg bash tests/load/flamegraph.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

USERS=${USERS:-100}
MESSAGES=${MESSAGES:-200}
STORE=${STORE:-memory}
SHARDS=${SHARDS:-1}
OUT=${OUT:-docs/flamegraph-load.svg}
PORT=${XMPPKIT_LOAD_PORT:-25600}
command -v perf >/dev/null || ensure_packages perf linux-perf
command -v inferno-flamegraph >/dev/null || cargo install --locked inferno

TARGET=target/flamegraph
CARGO_PROFILE_RELEASE_DEBUG=true CARGO_TARGET_DIR=$TARGET \
  cargo build --quiet --release --example server --example load
DIR=$(mktemp -d)
PID=
trap 'if [ -n "$PID" ]; then kill -INT "$PID" 2>/dev/null || true; fi; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT
{ for i in $(seq 0 $((USERS - 1))); do echo "user$i = \"pass\""; done; } > "$DIR/users.toml"
case $STORE in
  sqlite) spec=sqlite:"$DIR/state.db" ;;
  *) spec=$STORE ;;
esac
$TARGET/release/examples/server --domain localhost --listen 127.0.0.1:"$PORT" \
  --users "$DIR/users.toml" --store "$spec" --shards "$SHARDS" --rate 100000000 \
  >"$DIR/server.log" 2>&1 &
PID=$!
wait_port "$PORT"
# The logins first, unrecorded: the profile is of routing. The load tool waits for its users to
# be online before the exchange; perf starts when the first login is through and stops with it.
$TARGET/release/examples/load --server 127.0.0.1:"$PORT" --users "$USERS" --messages "$MESSAGES" \
  --server-pid "$PID" > "$DIR/load.log" &
LOAD=$!
until grep -q "^online" "$DIR/load.log" 2>/dev/null; do sleep 0.05; done
perf record -e cpu-clock -F 1999 --call-graph dwarf,16384 -p "$PID" -o "$DIR/perf.data" \
  -- sleep 600 >/dev/null 2>&1 &
PERF=$!
wait "$LOAD"
kill -INT "$PERF"; wait "$PERF" || true
cat "$DIR/load.log"
perf script -i "$DIR/perf.data" 2>/dev/null | inferno-collapse-perf > "$DIR/folded"
inferno-flamegraph --title "examples/server, $USERS users x $MESSAGES messages, $STORE store, $SHARDS shard(s)" \
  --width 1600 < "$DIR/folded" > "$OUT"
# The heaviest frames, inclusive, for the text beside the picture.
awk '{ n = $NF; $NF = ""; split($0, f, ";"); delete seen;
       for (i in f) { g = f[i]; sub(/ +$/, "", g); if (!(g in seen)) { seen[g] = 1; t[g] += n } }
       total += n }
     END { for (g in t) printf "%5.1f%% %s\n", 100 * t[g] / total, g }' "$DIR/folded" \
  | sort -rn | head -60 > "${OUT%.svg}.top.txt"
echo "wrote $OUT and ${OUT%.svg}.top.txt"
