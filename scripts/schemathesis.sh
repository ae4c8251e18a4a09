#!/usr/bin/env bash
# Schemathesis against a real api: every operation of /api/v1/openapi.json with generated
# input, valid and invalid. Fails on a server error (5xx), an answer its response schema does
# not describe, or a status code the document does not list for that operation.
#
# Starts `api serve` on a fresh database (created by `api migrate`, dropped afterwards) and a
# fresh queue prefix (its queues deleted afterwards when rabbitmqctl is there), with a new API
# token, and qlo-sim as its QloApps. QloApps calls the api would make for a generated config go to
# a dead loopback proxy: nothing leaves the machine.
#
# Needs: `st` (pip install schemathesis), PostgreSQL and RabbitMQ on their default ports, the
# api and qlo-sim binaries ($CARGO_TARGET_DIR/debug, else target/debug: cargo build -p api -p qlo-sim).
# Settings: SCHEMATHESIS_MAX_EXAMPLES (per operation, default 25), SCHEMATHESIS_PORT (18180),
# SCHEMATHESIS_SEED (random), SCHEMATHESIS_POSTGRES_URL (postgres://postgres@127.0.0.1:5432),
# SCHEMATHESIS_CHECKS (default: the four below; e.g. add negative_data_rejection to see whether
# the api refuses what the document excludes).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${CARGO_TARGET_DIR:-target}/debug/api
sim=${CARGO_TARGET_DIR:-target}/debug/qlo-sim
for b in "$bin" "$sim"; do
  [ -x "$b" ] || { echo "schemathesis: no $b (cargo build -p api -p qlo-sim)" >&2; exit 1; }
done
command -v st >/dev/null || { echo "schemathesis: no st command (pip install schemathesis)" >&2; exit 1; }

port=${SCHEMATHESIS_PORT:-18180}
sim_port=$((port + 1))
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-25}
seed=${SCHEMATHESIS_SEED:-$RANDOM$RANDOM}
pg=${SCHEMATHESIS_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
checks=${SCHEMATHESIS_CHECKS:-not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance}
run=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
database=qlosync_schemathesis_$run
prefix=schemathesis-$run.
state=${CARGO_TARGET_DIR:-target}/schemathesis
mkdir -p "$state"
state=$(cd "$state" && pwd)
log=$state/api.log

export DATABASE_URL=$pg/$database
export RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}
export QLOSYNC_QUEUE_PREFIX=$prefix
QLOSYNC_ENCRYPTION_KEY=$("$bin" gen-key 2>/dev/null)
export QLOSYNC_ENCRYPTION_KEY
token=schemathesis-$run-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
export API_TOKENS=$token
export API_LISTEN_ADDR=127.0.0.1:$port
export API_CONSOLE_DIR=$state/no-console
# the simulator is local and the rate limit is not under test here: at the default (100 a minute,
# one call every 666 ms after a burst of 10) thousands of generated requests queue behind it and
# an inline reconcile can outlast the client's 30 s timeout
export QLOAPPS_RATE_LIMIT=100000
export LOG_FORMAT=json RUST_LOG=${RUST_LOG:-warn}

api_pid=
sim_pid=
cleanup() {
  trap - INT TERM EXIT
  for pid in $api_pid $sim_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 \
    || echo "schemathesis: could not drop the database $database" >&2
  if command -v rabbitmqctl >/dev/null; then
    for queue in $(rabbitmqctl -q list_queues name 2>/dev/null | grep -F "$prefix" || true); do
      rabbitmqctl -q delete_queue "$queue" >/dev/null 2>&1 || true
    done
  fi
}
trap cleanup INT TERM EXIT

sim_key=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F')
QLO_SIM_KEY=$sim_key "$sim" --listen "127.0.0.1:$sim_port" >"$state/qlo-sim.log" 2>&1 &
sim_pid=$!
"$bin" migrate >"$state/migrate.log" 2>&1 || { cat "$state/migrate.log" >&2; exit 1; }
# loopback stays direct; anything else (a generated QloApps base URL) meets a closed port
HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
  NO_PROXY=127.0.0.1,localhost,::1 "$bin" serve >"$log" 2>&1 &
api_pid=$!
for _ in $(seq 120); do
  curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  kill -0 "$api_pid" 2>/dev/null || { echo "schemathesis: the api exited; its log:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/ready" >/dev/null || { echo "schemathesis: the api is not ready" >&2; cat "$log" >&2; exit 1; }

# seed one of each resource, so generated requests reach the handlers' logic and not only 404s;
# the QloApps config is the simulator's hotel 1; PATCH and DELETE of a config get a second one, so
# a generated key or URL cannot cut the first off from QloApps
api() { # method path json -> the created id
  curl -fsS -X "$1" "http://127.0.0.1:$port/api/v1$2" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$3" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
property=$(api POST /properties '{"name": "Schemathesis Hotel", "currency": "EUR"}')
room_type=$(api POST "/properties/$property/room-types" '{"code": "DBL", "name": "Double", "totalRooms": 5}')
guest=$(api POST "/properties/$property/guests" '{"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"}')
config_body() { # property name
  printf '{"propertyId": "%s", "name": "%s", "baseUrl": "http://127.0.0.1:%s/api", "apiKey": "%s", "qloappsHotelId": 1}' \
    "$1" "$2" "$sim_port" "$sim_key"
}
config=$(api POST /qloapps/configs "$(config_body "$property" QloApps)")
spare_property=$(api POST /properties '{"name": "Schemathesis Annex", "currency": "EUR"}')
spare_config=$(api POST /qloapps/configs "$(config_body "$spare_property" 'QloApps (changed by the run)')")
mapping=$(api POST "/qloapps/configs/$config/room-type-mappings" "{\"localRoomTypeId\": \"$room_type\", \"qloappsRoomTypeId\": 1}")
reservation=$(api POST "/properties/$property/reservations" "{\"roomTypeId\": \"$room_type\", \"guestId\": \"$guest\", \"checkIn\": \"$(date -u -d '+30 days' +%F)\", \"checkOut\": \"$(date -u -d '+32 days' +%F)\", \"adults\": 2, \"totalPrice\": \"200.00\"}")
cat >"$state/schemathesis.toml" <<TOML
[parameters]
"path.propertyId" = "$property"
"path.roomTypeId" = "$room_type"
"path.guestId" = "$guest"
"path.configId" = "$config"
"path.mappingId" = "$mapping"
"path.reservationId" = "$reservation"

[[operations]]
include-path = "/api/v1/qloapps/configs/{configId}"
parameters = { "path.configId" = "$spare_config" }
TOML

echo "schemathesis: $(st --version) against http://127.0.0.1:$port (database $database, seed $seed, $max_examples examples per operation)"
status=0
# from the state directory: st keeps its cache (.schemathesis/) in the working directory
cd "$state"
st --config-file "$state/schemathesis.toml" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks "$checks" \
  --phases examples,coverage,fuzzing \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --workers 1 \
  --request-timeout 30 \
  --report junit --report-dir "$state" \
  || status=$?
if grep -q '"level":"ERROR"' "$log"; then
  echo "schemathesis: the api logged errors:" >&2
  grep '"level":"ERROR"' "$log" | head -20 >&2
fi
exit "$status"
