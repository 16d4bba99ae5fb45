#!/usr/bin/env bash
# Login time on loopback (issue #18's closing measurement): the client example (release) logs in,
# sends one message and closes, RUNS times each way: RFC 6120 SASL + bind against the example
# server, SASL2 + Bind 2, FAST with a token, and RFC 6120 SASL against Prosody 0.12 in the same
# run. Two times per run: the whole process (start, TCP, STARTTLS, login, message, close) and, as
# the client prints it, from the TCP connection to online (STARTTLS, the login, the bind); their
# medians and 90th percentiles are printed in milliseconds. Then the same through a proxy that
# delays each direction by DELAY_MS (default 25: a 50 ms round trip, a good mobile network), where
# the round trips saved show. Servers and proxies are stopped by their pid.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

RUNS=${RUNS:-40}
PORT=${PORT:-25801}
PROSODY_PORT=${PROSODY_PORT:-25802}
DELAY_MS=${DELAY_MS:-25}
DELAYED_RUNS=${DELAYED_RUNS:-10}
ensure_packages prosody prosody
cargo build --quiet --release --example server --example client
CLIENT=target/release/examples/client

DIR=$(mktemp -d)
SERVER_PID=
PROSODY_PID=
PROXY_PIDS=()
cleanup() {
  for p in "${PROXY_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$SERVER_PID" ] && kill -INT "$SERVER_PID" 2>/dev/null || true
  [ -n "$PROSODY_PID" ] && kill "$PROSODY_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

printf 'alice = "alicepass"\nbob = "bobpass"\n' > "$DIR/users.toml"
target/release/examples/server --domain localhost --listen 127.0.0.1:"$PORT" --users "$DIR/users.toml" \
  --store memory --shards 1 >"$DIR/server.log" 2>&1 &
SERVER_PID=$!
wait_port "$PORT" || { cat "$DIR/server.log"; exit 1; }

sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$PROSODY_PORT#g" tests/interop/prosody/prosody.cfg.lua.in > "$DIR/prosody.cfg.lua"
mkdir -p "$DIR/data"
make_cert "$DIR"
prosody --config "$DIR/prosody.cfg.lua" >"$DIR/prosody.stdout" 2>&1 &
PROSODY_PID=$!
wait_port "$PROSODY_PORT" || { cat "$DIR"/*.log; exit 1; }
prosodyctl --config "$DIR/prosody.cfg.lua" register alice localhost alicepass
prosodyctl --config "$DIR/prosody.cfg.lua" register bob localhost bobpass

# measure NAME PORT ARGS...: RUNS logins, then the medians and 90th percentiles.
measure() {
  local name=$1 port=$2; shift 2
  : >"$DIR/times"
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    "$CLIENT" --jid alice@localhost --password alicepass --server 127.0.0.1:"$port" --insecure-tls \
      --wait 0 "$@" send bob@localhost hi >"$DIR/client.log" 2>&1 || { cat "$DIR/client.log"; exit 1; }
    t1=$(date +%s%N)
    local login
    login=$(sed -n 's/^login took \([0-9.]*\) ms$/\1/p' "$DIR/client.log")
    echo "$(( (t1 - t0) / 1000 )) ${login:-0}" >>"$DIR/times"
  done
  local how
  how=$(sed -n 's/^authenticated with //p' "$DIR/client.log" | head -1)
  python3 - "$name" "$how" "$DIR/times" <<'PY'
import statistics, sys
name, how, path = sys.argv[1:]
rows = [line.split() for line in open(path)]
whole = sorted(int(r[0]) / 1000 for r in rows)
login = sorted(float(r[1]) for r in rows)
p90 = lambda xs: xs[int(len(xs) * 0.9) - 1]
print(f"{name:32} login {statistics.median(login):6.2f} ms (p90 {p90(login):6.2f})  "
      f"process {statistics.median(whole):6.2f} ms (p90 {p90(whole):6.2f})  {how}")
PY
}

# all_four XMPPKIT_PORT PROSODY_PORT: each way of logging in, and Prosody's.
all_four() {
  measure "xmppkit: SASL + bind" "$1" --no-sasl2
  measure "xmppkit: SASL2 + Bind 2" "$1"
  # The first FAST run logs in with the password and gets the token; the runs after use it.
  rm -f "$DIR/fast"
  "$CLIENT" --jid alice@localhost --password alicepass --server 127.0.0.1:"$1" --insecure-tls \
    --wait 0 --fast "$DIR/fast" send bob@localhost hi >/dev/null 2>&1
  measure "xmppkit: SASL2 + Bind 2 + FAST" "$1" --fast "$DIR/fast"
  measure "Prosody 0.12: SASL + bind" "$2"
}

echo "login time on loopback, $RUNS runs each, $(nproc) cores"
all_four "$PORT" "$PROSODY_PORT"

python3 tests/load/delay_proxy.py $((PORT + 10)) "$PORT" "$DELAY_MS" &
PROXY_PIDS+=($!)
python3 tests/load/delay_proxy.py $((PROSODY_PORT + 10)) "$PROSODY_PORT" "$DELAY_MS" &
PROXY_PIDS+=($!)
wait_port $((PORT + 10)); wait_port $((PROSODY_PORT + 10))
RUNS=$DELAYED_RUNS
echo "through a proxy delaying each direction by $DELAY_MS ms, $RUNS runs each"
all_four $((PORT + 10)) $((PROSODY_PORT + 10))
