#!/usr/bin/env bash
# The kill -9 test of kill9.sh with the example server on PostgreSQL (a throwaway cluster from
# tests/postgres/cluster.sh): the server's writes go behind, and what it acknowledged or
# delivered must be in the database when it is killed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/postgres/cluster.sh
pg_start
trap pg_stop EXIT
XMPPKIT_DURABILITY_STORE="postgres://postgres@127.0.0.1:$PG_PORT/postgres" \
  XMPPKIT_DURABILITY_NAME="postgres kill -9" bash tests/durability/kill9.sh
