#!/usr/bin/env bash
# Every test of qlosync, Rust and web, in one command:
#   1. cargo test --workspace                      (PostgreSQL on 127.0.0.1:5432, RabbitMQ on :5672)
#   2. the console's unit tests (Vitest, jsdom)    cd web && npm test
#   3. the console in a browser (Playwright)       the five binaries + web/dist on a fresh test
#      database and queue prefix, driven in headless Chromium
#
# Prerequisites: Node 20 (the console's npm packages are installed with `npm ci` when web/node_modules
# is missing) and Debian's chromium (`apt-get install -y chromium`; another binary via
# CHROMIUM_PATH), which .ci/run installs on a fresh machine. Options: --rust (step 1 only), --web (steps 2 and 3 only).
set -euo pipefail
cd "$(dirname "$0")/.."

rust=true web=true
case "${1:-}" in
  --rust) web=false ;;
  --web) rust=false ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--rust|--web]" >&2; exit 2 ;;
esac

log() { printf '\n== %s\n' "$*"; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

if $rust; then
  log "cargo test --workspace"
  cargo test --workspace
fi

if $web; then
  command -v npm >/dev/null || die "npm not found: install Node 20"
  if [ ! -d web/node_modules ]; then
    log "web/node_modules is missing: installing the console's npm packages (npm ci, from package-lock.json)"
    (cd web && npm ci --no-audit --no-fund)
  fi
  chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
  [ -x "$chromium" ] || die "no chromium at $chromium: apt-get install -y chromium (or set CHROMIUM_PATH)"

  log "console unit tests (vitest)"
  (cd web && npm test --silent)

  log "console browser tests (playwright, headless chromium, real stack)"
  cargo build -q -p api -p qlo-sim -p outbound-worker -p inbound-worker -p sync-scheduler
  (cd web && npm run build --silent)
  (cd web && CHROMIUM_PATH="$chromium" npx playwright test)
fi

log "all tests passed"
