#!/usr/bin/env bash
# xmpp.js 0.14 (npm @xmpp/client) against the example server: the modern login in the server
# role. It must log in with XEP-0388 SASL2 and XEP-0386 Bind 2 in one exchange (no legacy bind
# IQ), enable XEP-0198 inline, be given a XEP-0484 FAST token; then log in again with that token
# alone (HT-SHA-256-NONE, with a wrong password) and exchange a message with the client example.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

JS=tests/interop/xmppjs
if [ ! -d "$JS/node_modules/@xmpp/client" ]; then
  echo "== installing xmpp.js"
  (cd "$JS" && npm install --no-audit --no-fund --silent)
fi
PORT=${XMPPKIT_XMPPJS_PORT:-25227}
start_example_server "$PORT" alice bob
export NODE_TLS_REJECT_UNAUTHORIZED=0
TOKEN=$(mktemp -u)
trap 'rm -f "$TOKEN"' RETURN

begin_check
node "$JS/login.mjs" "$PORT" alice alicepass "$TOKEN" >"$LOGS/first.log" 2>&1 || true
show_logs first
check first "^> <authenticate xmlns=\"urn:xmpp:sasl:2\" mechanism=\"SCRAM-SHA-1\""
check first "<bind xmlns=\"urn:xmpp:bind:0\"><tag>xmppjs</tag>"
check first "<request-token xmlns=\"urn:xmpp:fast:0\" mechanism=\"HT-SHA-256-NONE\"/>"
check first "^< <success xmlns=[\"']urn:xmpp:sasl:2[\"']"
check first "<bound xmlns=[\"']urn:xmpp:bind:0[\"']><enabled xmlns=[\"']urn:xmpp:sm:3[\"']"
check first "<token xmlns=[\"']urn:xmpp:fast:0[\"']"
check first "^saved a FAST token for HT-SHA-256-NONE"
check first "^online as alice@localhost/xmppjs$"
if grep -q "urn:ietf:params:xml:ns:xmpp-bind" "$LOGS/first.log"; then
  echo "FAILED: a legacy resource binding happened"; FAIL=1
fi
end_check xmppjs sasl2-bind2 || { cat "$DIR/server.log"; exit 1; }

begin_check
"$CLIENT" --jid bob@localhost --password bobpass --server 127.0.0.1:"$PORT" --insecure-tls \
  --wait 6 listen >"$LOGS/bob.log" 2>&1 &
bob=$!
wait_log bob "^online as" || true
node "$JS/login.mjs" "$PORT" alice WRONG-PASSWORD "$TOKEN" bob@localhost "hello from xmpp.js" \
  >"$LOGS/second.log" 2>&1 || true
wait "$bob" || true
show_logs second bob
check second "^> <authenticate xmlns=\"urn:xmpp:sasl:2\" mechanism=\"HT-SHA-256-NONE\""
check second "<fast xmlns=\"urn:xmpp:fast:0\"/>"
check second "^online as alice@localhost/xmppjs$"
check bob "^message from alice@localhost/xmppjs: hello from xmpp.js$"
if grep -q "deleted the FAST token\|start failed" "$LOGS/second.log"; then
  echo "FAILED: the token was refused"; FAIL=1
fi
end_check xmppjs fast || { cat "$DIR/server.log"; exit 1; }
