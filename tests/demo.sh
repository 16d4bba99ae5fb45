#!/usr/bin/env bash
# The README's first set-up command, `cargo run --example server`, exactly as a newcomer runs it:
# with no flags it serves localhost on 127.0.0.1:5222 from the embedded SQLite store
# (xmppkit.db, made here), creates the demo accounts, and says how to connect; the client example
# then logs in as alice and sends bob a message that bob receives. Stopped with Ctrl-C by its pid.
# A checkout that already has an xmppkit.db is left alone: the demo then runs in a temporary
# directory.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/interop/lib.sh
ROOT=$PWD
WORK=$ROOT
[ -e xmppkit.db ] && WORK=$(mktemp -d)
LOG=$(mktemp)
PID=
trap 'if [ -n "$PID" ]; then kill -INT "$PID" 2>/dev/null || true; fi; wait 2>/dev/null || true; rm -f "$LOG"; [ "$WORK" = "$ROOT" ] && rm -f xmppkit.db xmppkit.db-wal xmppkit.db-shm; [ "$WORK" != "$ROOT" ] && rm -rf "$WORK"; true' EXIT
cargo build --quiet --example server --example client
if (exec 3<>/dev/tcp/127.0.0.1/5222) 2>/dev/null; then
  echo "FAILED: something already listens on 127.0.0.1:5222, the demo's port"; exit 1
fi
(cd "$WORK" && exec "$ROOT/target/debug/examples/server") >"$LOG" 2>&1 &
PID=$!
wait_port 5222 || { echo "the demo server did not start:"; cat "$LOG"; exit 1; }
begin_check
"$CLIENT" --jid bob@localhost --password pass --insecure-tls --wait 3 listen >"$LOGS/bob.log" 2>&1 &
bob=$!
wait_log bob "^online as" || true
"$CLIENT" --jid alice@localhost --password pass --insecure-tls --wait 1 send bob@localhost "hello from the demo" \
  >"$LOGS/alice.log" 2>&1 || true
wait "$bob" || true
kill -INT "$PID"; wait "$PID" 2>/dev/null || true; PID=
cp "$LOG" "$LOGS/server.log"
show_logs server alice bob
check server "^xmppkit serving localhost on 127.0.0.1:5222, state in sqlite:xmppkit.db\$"
check server "^demo accounts alice@localhost, bob@localhost, carol@localhost, password \"pass\"\$"
check server "^try: cargo run --example client -- --jid alice@localhost --password pass"
check bob "^message from alice@localhost/.*: hello from the demo\$"
[ -s "$WORK/xmppkit.db" ] || { echo "FAILED: no xmppkit.db"; FAIL=1; }
end_check demo "cargo run --example server"
