#!/usr/bin/env bash
# Shared steps of the interop tests: install peers, make a certificate, wait for a port, and the
# two-account exchange with the client example that every server test checks the same way.

# ensure_packages CMD PACKAGE...: install the Debian packages unless CMD is already there.
ensure_packages() {
  local cmd=$1; shift
  if ! command -v "$cmd" >/dev/null || ! command -v openssl >/dev/null; then
    echo "== installing $*"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" openssl >/dev/null
  fi
}

# make_cert DIR: a throwaway self-signed certificate for localhost (key, cert, and both in one PEM).
make_cert() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$1/localhost.key" -out "$1/localhost.crt" 2>/dev/null
  cat "$1/localhost.key" "$1/localhost.crt" > "$1/localhost.pem"
}

# wait_port PORT: wait up to 30 s for a listener on 127.0.0.1:PORT.
wait_port() {
  for _ in $(seq 1 150); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

# start_example_server PORT USER...: the example server for localhost on 127.0.0.1:PORT, with
# each USER's password USERpass, its state (a SQLite store) and log in a temporary DIR; stopped
# (Ctrl-C) and cleaned up on exit; two shards unless SHARDS says otherwise, so that the paths
# between shards meet real clients. Sets DIR and PID (empty PID: already stopped).
start_example_server() {
  local port=$1; shift
  DIR=$(mktemp -d)
  PID=
  trap 'if [ -n "$PID" ]; then kill -INT "$PID" 2>/dev/null || true; fi; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT
  for user in "$@"; do echo "$user = \"${user}pass\""; done > "$DIR/users.toml"
  cargo build --quiet --example server
  target/debug/examples/server --domain localhost --listen 127.0.0.1:"$port" --users "$DIR/users.toml" \
    --store sqlite:"$DIR/state.db" --shards "${SHARDS:-2}" >"$DIR/server.log" 2>&1 &
  PID=$!
  wait_port "$port" || { echo "the server did not start:"; cat "$DIR/server.log"; exit 1; }
}

# The steps every check below shares. begin_check: a log directory and the client example, built
# (sets LOGS, CLIENT, FAIL). wait_log WHO PATTERN: wait up to 10 s for a line in WHO's log.
# show_logs WHO...: print the logs. check WHO PATTERN: WHO's log must have a matching line.
# end_check NAME WHAT: the verdict line; non-zero when a check failed.
begin_check() {
  LOGS=$(mktemp -d)
  FAIL=0
  cargo build --quiet --example client
  CLIENT=target/debug/examples/client
}
wait_log() {
  for _ in $(seq 1 100); do grep -q "$2" "$LOGS/$1.log" && return 0; sleep 0.1; done
  return 1
}
show_logs() {
  for who in "$@"; do echo "--- $who"; cat "$LOGS/$who.log"; done
}
check() {
  grep -q "$2" "$LOGS/$1.log" || { echo "FAILED: $1 did not log: $2"; FAIL=1; }
}
end_check() {
  rm -rf "$LOGS"
  if [ "$FAIL" = 0 ]; then echo "$1 $2: 1 passed, 0 failed"; else echo "$1 $2: 0 passed, 1 failed"; return 1; fi
}

# exchange NAME PORT MECHANISM: bob listens, alice logs in with MECHANISM over STARTTLS and sends
# him a message; both logs are checked. Accounts alice/alicepass and bob/bobpass must exist.
exchange() {
  local name=$1 port=$2 mechanism=$3
  local common=(--server 127.0.0.1:"$port" --insecure-tls)
  begin_check
  "$CLIENT" --jid bob@localhost --password bobpass "${common[@]}" --wait 8 listen >"$LOGS/bob.log" 2>&1 &
  local bob=$!
  wait_log bob "^online as" || true
  "$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" \
    --mechanism "$mechanism" --wait 1 send bob@localhost "hello from xmppkit" >"$LOGS/alice.log" 2>&1 || true
  wait "$bob" || true
  show_logs alice bob
  check alice "^tls established"
  check alice "^authenticated with $mechanism\$"
  check alice "^online as alice@localhost/"
  check alice "^sent to bob@localhost"
  check alice "^closed\$"
  check bob "^tls established"
  check bob "^authenticated with SCRAM-SHA-"
  check bob "^message from alice@localhost/.*: hello from xmppkit\$"
  check bob "^closed\$"
  end_check "$name" interop
}

# resumption NAME PORT: XEP-0198 against a real server. Alice enables stream management, her TCP
# connection is reset, and while she is away Bob sends her a message and she queues one for Bob;
# she resumes the stream: both messages must arrive. Accounts as for `exchange`.
resumption() {
  local name=$1 port=$2
  local common=(--server 127.0.0.1:"$port" --insecure-tls)
  begin_check
  "$CLIENT" --jid bob@localhost --password bobpass "${common[@]}" --wait 15 listen >"$LOGS/bob.log" 2>&1 &
  local bob=$!
  wait_log bob "^online as" || true
  "$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --kill-after 1 --break 5 \
    --break-to bob@localhost --break-text "queued during the break" --wait 3 listen >"$LOGS/alice.log" 2>&1 &
  local alice=$!
  wait_log alice "^connection killed" || true
  "$CLIENT" --jid bob@localhost --password bobpass "${common[@]}" --wait 1 \
    send alice@localhost "sent during the break" >"$LOGS/bob2.log" 2>&1 || true
  wait "$alice" || true
  wait "$bob" || true
  show_logs alice bob bob2
  check alice "^stream management enabled (resumable: true)\$"
  check alice "^connection killed\$"
  check alice "^queued for bob@localhost\$"
  check alice "^resumed as alice@localhost/.*, resent 1\$"
  check alice "^message from bob@localhost/.*: sent during the break\$"
  check alice "^closed\$"
  check bob2 "^sent to alice@localhost\$"
  check bob "^message from alice@localhost/.*: queued during the break\$"
  end_check "$name" resumption
}

# muc_room NAME PORT: XEP-0045 with the RoomClient helper against the server's MUC component at
# conference.localhost. Alice creates a room (201), accepts the instant room and talks; Bob
# enters, sees Alice, talks and leaves. Accounts as for `exchange`.
muc_room() {
  local name=$1 port=$2
  local common=(--server 127.0.0.1:"$port" --insecure-tls)
  local room=coven-$RANDOM@conference.localhost
  begin_check
  "$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 8 \
    muc "$room" alice "hello witches" >"$LOGS/alice.log" 2>&1 &
  local alice=$!
  wait_log alice "^message from $room/alice: hello witches" || true
  "$CLIENT" --jid bob@localhost --password bobpass "${common[@]}" --wait 2 \
    muc "$room" bob "hi alice" >"$LOGS/bob.log" 2>&1 || true
  wait "$alice" || true
  show_logs alice bob
  check alice "^joined $room as alice (created: true, codes: .*201"
  check alice "^joined $room as alice (created: true, codes: .*110"
  check alice "^accepted the instant room\$"
  check alice "^iq response instant\$"
  check alice "^message from $room/alice: hello witches\$"
  check alice "^occupant joined bob\$"
  check alice "^message from $room/bob: hi alice\$"
  check alice "^occupant left bob (Left)\$"
  check alice "^left the room (Left)\$"
  check alice "^closed\$"
  check bob "^joined $room as bob (created: false, codes: \[110\])\$"
  check bob "^occupants before us: \[\"alice\"\]\$"
  check bob "^message from $room/bob: hi alice\$"
  check bob "^left the room (Left)\$"
  end_check "$name" muc
}

# pubsub_node NAME PORT: XEP-0060 against the server's pubsub component at pubsub.localhost.
# Alice creates a node, Bob subscribes, Alice publishes an Atom entry: Bob must receive it.
# Accounts as for `exchange`.
pubsub_node() {
  local name=$1 port=$2
  local common=(--server 127.0.0.1:"$port" --insecure-tls)
  local node=news-$RANDOM
  begin_check
  "$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 1 \
    pubsub pubsub.localhost "$node" create >"$LOGS/create.log" 2>&1 || true
  "$CLIENT" --jid bob@localhost --password bobpass "${common[@]}" --wait 6 \
    pubsub pubsub.localhost "$node" subscribe >"$LOGS/bob.log" 2>&1 &
  local bob=$!
  wait_log bob "^ps-subscribe:" || true
  "$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 1 \
    pubsub pubsub.localhost "$node" publish "To be, or not to be" >"$LOGS/publish.log" 2>&1 || true
  wait "$bob" || true
  show_logs create bob publish
  check create "^ps-create: ok\$"
  check bob "^ps-subscribe: ok\$"
  check publish "^ps-publish: ok\$"
  check bob "^pubsub item on $node: To be, or not to be\$"
  check bob "^closed\$"
  end_check "$name" pubsub
}

# mds_sync NAME PORT: XEP-0490 between two of alice's devices through the server's PEP. The laptop
# listens; the phone flags the chat with bob as displayed twice (the second publication carries
# the same publish-options as the one that created the node); the laptop prints both positions
# from the notifications, and a third login catches up with the last one.
mds_sync() {
  local name=$1 port=$2
  local common=(--server 127.0.0.1:"$port" --insecure-tls)
  begin_check
  "$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 6 listen \
    >"$LOGS/laptop.log" 2>&1 &
  local laptop=$!
  wait_log laptop "^online as" || true
  "$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 1 \
    mds flag bob@localhost mds-1 >"$LOGS/flag1.log" 2>&1 || true
  wait_log laptop "^displayed bob@localhost up to mds-1\$" || true
  "$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 1 \
    mds flag bob@localhost mds-2 >"$LOGS/flag2.log" 2>&1 || true
  wait "$laptop" || true
  "$CLIENT" --jid alice@localhost --password alicepass "${common[@]}" --wait 1 \
    mds catch-up >"$LOGS/catchup.log" 2>&1 || true
  show_logs flag1 flag2 laptop catchup
  check flag1 "^mds-flag: ok\$"
  check flag2 "^mds-flag: ok\$"
  check laptop "^displayed bob@localhost up to mds-1\$"
  check laptop "^displayed bob@localhost up to mds-2\$"
  check catchup "^displayed bob@localhost up to mds-2\$"
  end_check "$name" "XEP-0490 displayed sync"
}
