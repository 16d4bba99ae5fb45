#!/usr/bin/env bash
# Real clients against the example server: slixmpp (PyPI, in a virtualenv) logs in over STARTTLS
# with SCRAM, exchanges messages with carbons to a second resource, queries MAM, uses a MUC room
# with three users (join, messages, history, kick) and its read markers, a pubsub node, XEP-0490
# displayed state synchronized between two devices (not to contacts) and seen in the
# urn:xmpp:unread counts and the XEP-0430 inbox (an ack of all reaching the other device as its MDS
# position), and
# resumes its stream after its socket is killed, with no message lost.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/interop/lib.sh

VENV=${XMPPKIT_VENV:-target/slixmpp-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import slixmpp" 2>/dev/null; then
  echo "== installing slixmpp"
  python3 -m venv "$VENV" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$VENV"; }
  "$VENV/bin/pip" install -q slixmpp
fi

PORT=${XMPPKIT_SLIXMPP_PORT:-25225}
start_example_server "$PORT" alice bob carol dave
timeout 120 "$VENV/bin/python" tests/interop/slixmpp/scenarios.py "$PORT" || { cat "$DIR/server.log"; exit 1; }
