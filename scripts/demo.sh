#!/usr/bin/env bash
# qlosync demo: builds and starts the QloApps simulator and the four qlosync processes (api,
# outbound-worker, inbound-worker, sync-scheduler) against the local PostgreSQL and RabbitMQ,
# migrates, creates the demo property (idempotent), and prints what to open. Ctrl-C stops all.
#
#   scripts/demo.sh           run until Ctrl-C
#   scripts/demo.sh --smoke   start, push one reservation into the simulator, stop (used by CI)
#
# Settings (environment): DEMO_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/qlosync_demo),
# RABBITMQ_URL, DEMO_API_PORT (8080), DEMO_SIM_PORT (8088), DEMO_OPS_PORT (9101..9103 from it),
# DEMO_PROFILE (debug | release), DEMO_STATE_DIR (.demo). Secrets are generated once into the
# state directory and reused, so a second run finds its demo data again.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true

profile=${DEMO_PROFILE:-debug}
state=${DEMO_STATE_DIR:-.demo}
api_port=${DEMO_API_PORT:-8080}
sim_port=${DEMO_SIM_PORT:-8088}
ops_port=${DEMO_OPS_PORT:-9101}
export DATABASE_URL=${DEMO_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/qlosync_demo}
export RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}
export QLOSYNC_QUEUE_PREFIX=${QLOSYNC_QUEUE_PREFIX:-demo.}
export QLOAPPS_SYNC_INTERVAL_MS=${QLOAPPS_SYNC_INTERVAL_MS:-60000}
export LOG_FORMAT=${LOG_FORMAT:-pretty}
export RUST_LOG=${RUST_LOG:-info}

say() { printf '%s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

pg_isready -q -d "$DATABASE_URL" 2>/dev/null || pg_isready -q -h 127.0.0.1 -p 5432 \
  || die "PostgreSQL does not answer on 127.0.0.1:5432 (start it, or set DEMO_DATABASE_URL)"
rabbit_hostport=$(printf '%s' "$RABBITMQ_URL" | sed -E 's#^amqps?://([^@/]*@)?([^/:]+)(:([0-9]+))?.*#\2 \4#')
read -r rabbit_host rabbit_port <<<"$rabbit_hostport"
(exec 3<>"/dev/tcp/${rabbit_host}/${rabbit_port:-5672}") 2>/dev/null \
  || die "RabbitMQ does not answer on ${rabbit_host}:${rabbit_port:-5672} (start it, or set RABBITMQ_URL)"

if [ -f web/dist/index.html ] && [ -z "$(find web/src web/index.html web/package-lock.json -newer web/dist/index.html 2>/dev/null | head -1)" ]; then
  say "console: web/dist is up to date"
elif command -v npm >/dev/null; then
  say "building the console (web/: npm ci if needed, npm run build)..."
  [ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund --silent)
  (cd web && npm run build --silent >/dev/null) || die "the console did not build (cd web && npm run build)"
else
  say "console: npm not found, serving the API only (install Node 20 to get the console at /)"
fi
export API_CONSOLE_DIR=${API_CONSOLE_DIR:-$PWD/web/dist}

say "building (cargo, profile $profile)..."
build_flags=()
[ "$profile" = release ] && build_flags=(--release)
cargo build "${build_flags[@]}" -q -p api -p outbound-worker -p inbound-worker -p sync-scheduler -p qlo-sim
bin=${CARGO_TARGET_DIR:-target}/$profile

mkdir -p "$state/logs"
[ -s "$state/encryption.key" ] || "$bin/api" gen-key 2>/dev/null > "$state/encryption.key"
[ -s "$state/api-token" ] || "$bin/api" gen-key 2>/dev/null > "$state/api-token"
[ -s "$state/qloapps-sim.key" ] || { tr -dc 'A-Z0-9' < /dev/urandom | head -c 32 > "$state/qloapps-sim.key" || true; }
chmod 600 "$state"/*.key "$state/api-token"
export QLOSYNC_ENCRYPTION_KEY_FILE=$state/encryption.key
export API_TOKENS_FILE=$state/api-token

pids=()
cleanup() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    say "stopping..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  rm -f "$state/pids"
  say "stopped."
}
trap cleanup INT TERM EXIT

# start NAME COMMAND...: in the background, logging to $state/logs/NAME.log
start() {
  local name=$1; shift
  "$@" >> "$state/logs/$name.log" 2>&1 &
  pids+=($!)
  printf '%s %s\n' "$!" "$name" >> "$state/pids"
}

: > "$state/pids"
start qlo-sim env QLO_SIM_KEY="$(cat "$state/qloapps-sim.key")" "$bin/qlo-sim" --listen "127.0.0.1:$sim_port"
"$bin/api" migrate >> "$state/logs/migrate.log" 2>&1 || die "migration failed: see $state/logs/migrate.log"
QLO_API_KEY_FILE=$state/qloapps-sim.key "$bin/api" demo-setup --fresh-qloapps --qloapps-url "http://127.0.0.1:$sim_port/api" \
  > "$state/demo.json" 2>> "$state/logs/migrate.log" || die "demo setup failed: see $state/logs/migrate.log"
start api env API_LISTEN_ADDR="127.0.0.1:$api_port" "$bin/api" serve
start outbound-worker env OPS_LISTEN_ADDR="127.0.0.1:$ops_port" "$bin/outbound-worker"
start inbound-worker env OPS_LISTEN_ADDR="127.0.0.1:$((ops_port + 1))" "$bin/inbound-worker"
start sync-scheduler env OPS_LISTEN_ADDR="127.0.0.1:$((ops_port + 2))" "$bin/sync-scheduler"

# every process up and ready, or the log of the one that is not
check_alive() {
  while read -r pid name; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$state/logs/$name.log" >&2; die "$name exited (log: $state/logs/$name.log)"; }
  done < "$state/pids"
}
api=http://127.0.0.1:$api_port
for _ in $(seq 60); do
  check_alive
  curl -fsS "$api/ready" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$((ops_port + 2))/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$api/ready" >/dev/null || die "the api is not ready (log: $state/logs/api.log)"

json_field() { grep -o "\"$1\": *\"[^\"]*\"" "$state/demo.json" | head -1 | cut -d'"' -f4; }
property_id=$(json_field propertyId)
guest_id=$(json_field guestId)
room_type_id=$(grep -A1 '"roomTypeIds"' "$state/demo.json" | tail -1 | tr -d ' ",')
token=$(cat "$state/api-token")
check_in=$(date -u -d '+30 days' +%F)
check_out=$(date -u -d '+32 days' +%F)
body="{\"roomTypeId\":\"$room_type_id\",\"guestId\":\"$guest_id\",\"checkIn\":\"$check_in\",\"checkOut\":\"$check_out\",\"adults\":2,\"totalPrice\":\"240.00\",\"currency\":\"USD\"}"
sim_orders="curl -sg -u \"\$(cat $state/qloapps-sim.key):\" 'http://127.0.0.1:$sim_port/api/orders?output_format=JSON&display=[id,source,current_state,date_upd]'"

cat <<MSG

qlosync demo is running (logs: $state/logs/, Ctrl-C stops everything)
  Console          $api/   sign in with the token: $token
  API              $api/api/v1   token: $token
  OpenAPI          $api/api/v1/openapi.json
  health/metrics   $api/ready  $api/metrics  (workers: 127.0.0.1:$ops_port-$((ops_port + 2)) /ready /metrics)
  RabbitMQ UI      http://127.0.0.1:15672 (guest/guest, if the management plugin is enabled)
  QloApps sim      http://127.0.0.1:$sim_port/api  (state: http://127.0.0.1:$sim_port/__sim/state)

Create a reservation; a second later it is an order in the simulator:
  curl -s -X POST $api/api/v1/properties/$property_id/reservations \\
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \\
    -d '$body'
  $sim_orders
MSG

if $smoke; then
  created=$(curl -fsS -X POST "$api/api/v1/properties/$property_id/reservations" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body")
  reservation_id=$(printf '%s' "$created" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  say "smoke: created reservation $reservation_id"
  for _ in $(seq 60); do
    orders=$(curl -sg -u "$(cat "$state/qloapps-sim.key"):" \
      "http://127.0.0.1:$sim_port/api/orders?output_format=JSON&display=[id,source]&filter[source]=[pms:$reservation_id]")
    if printf '%s' "$orders" | grep -q "pms:$reservation_id"; then
      say "smoke: the reservation is order $(printf '%s' "$orders" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2) in the simulator"
      exit 0
    fi
    check_alive
    sleep 0.5
  done
  die "smoke: the reservation did not reach the simulator within 30 s"
fi

while true; do
  check_alive
  sleep 1
done
