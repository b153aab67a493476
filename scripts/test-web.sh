#!/usr/bin/env bash
# The web app's checks, in order of cost: npm ci, ESLint, TypeScript, the API-types drift check,
# Vitest, the production build, then browser tests (headless Chromium) against the real `pmo`
# binary on a free 127.0.0.1 port with a fresh, seeded scratch database.
#
# Prints one summary line per suite (`web-unit: N passed, M failed`, `web-e2e: …`) and exits
# non-zero on any failure. Needs the test PostgreSQL (scripts/test-services.sh, started here when
# .test-services/env is missing). Environment: WEB_TEST_PMO_BIN (a pmo binary to use instead of building
# one), CARGO_TARGET_DIR (honoured when building), WEB_E2E_FILTER (run only matching tests).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

step() { printf '\n==> %s\n' "$*"; }
say() { printf '[test-web] %s\n' "$*" >&2; }

server_pid=""
psql=""
scratch_db=""
data_dir=""
admin_url=""

cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$scratch_db" ] && [ -n "$admin_url" ]; then
    "$psql" "$admin_url" -qc "DROP DATABASE IF EXISTS \"$scratch_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  [ -n "$data_dir" ] && rm -rf "$data_dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools

step "checking Node, npm and Chromium"
command -v node >/dev/null || { echo "node not found: install Node.js 20.19+ (it ships npm)" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || { echo "Node $(node --version) is too old: the web build needs 20.19 or newer" >&2; exit 1; }
if [ ! -x /usr/bin/chromium ]; then
  say "Chromium is missing: installing it with apt-get (once; needs root)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
fi
say "$(node --version), npm $(npm --version), $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"

# ---------------------------------------------------------------- static checks and unit tests

cd "$repo/web"
mkdir -p test-results

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "ESLint"
npm run --silent lint

step "TypeScript (tsc --noEmit)"
npm run --silent typecheck

step "API types drift check (src/api/schema.d.ts vs ../openapi.json)"
npm run --silent check:api

step "Vitest (client logic)"
unit_status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || unit_status=$?
read -r unit_passed unit_failed < <(node -e '
  try {
    const r = require("./test-results/vitest.json");
    console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTests === 0 ? 1 : 0));
  } catch { console.log(0, 1); }')
[ "$unit_status" -ne 0 ] && [ "$unit_failed" -eq 0 ] && unit_failed=1

step "production build (web/dist)"
npx vite build --logLevel warn

# ---------------------------------------------------------------- the real server

cd "$repo"
step "building pmo"
if [ -n "${WEB_TEST_PMO_BIN:-}" ]; then
  pmo="$WEB_TEST_PMO_BIN"
else
  cargo build -q --locked -p pmo
  pmo="${CARGO_TARGET_DIR:-$repo/target}/debug/pmo"
fi
[ -x "$pmo" ] || { echo "no pmo binary at $pmo" >&2; exit 1; }

step "scratch database and server"
[ -f .test-services/env ] || scripts/test-services.sh start
# shellcheck disable=SC1091
source .test-services/env
psql=$(command -v psql || true)
if [ -z "$psql" ] && command -v pg_config >/dev/null; then psql="$(pg_config --bindir)/psql"; fi
[ -x "${psql:-}" ] || psql=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
[ -x "${psql:-}" ] || { echo "psql not found (install postgresql-client)" >&2; exit 1; }

admin_url="$DATABASE_URL"
scratch_db="pmo_web_e2e_$$"
base_url="${DATABASE_URL%/*}"
"$psql" "$admin_url" -qc "CREATE DATABASE \"$scratch_db\"" >/dev/null
data_dir=$(mktemp -d /tmp/pmo-web-e2e.XXXXXX)
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')

export PMO_DATABASE_URL="$base_url/$scratch_db"
export PMO_DATA_DIR="$data_dir"
export PMO_LISTEN="127.0.0.1:$port"
export PMO_METRICS__LISTEN=""  # no metrics listener: its fixed port may be taken
# Short access tokens, so the browser tests also see scheduled refreshes (at 10 s).
export PMO_AUTH__ACCESS_TOKEN_TTL_SECS=40
"$pmo" migrate >"$data_dir/migrate.log" 2>&1 || { cat "$data_dir/migrate.log" >&2; exit 1; }
"$pmo" seed --demo >"$data_dir/seed.log" 2>&1 || { cat "$data_dir/seed.log" >&2; exit 1; }
"$pmo" serve >"$data_dir/server.log" 2>&1 &
server_pid=$!
healthy() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$port/api/health"; }
for _ in $(seq 1 60); do
  healthy && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$data_dir/server.log" >&2; echo "pmo serve exited" >&2; exit 1; }
  sleep 0.5
done
healthy || { cat "$data_dir/server.log" >&2; echo "pmo did not become healthy" >&2; exit 1; }
say "pmo (pid $server_pid) on http://127.0.0.1:$port with database $scratch_db"
# The binary must serve the web/dist just built, not its "not built" page: fail here, once, rather
# than in every browser test.
node -e 'fetch(process.argv[1]).then((r) => r.text()).then((t) => process.exit(/web app was not built/.test(t) ? 1 : 0), () => process.exit(1))' \
  "http://127.0.0.1:$port/" || { echo "pmo at $pmo serves no web app: it does not see web/dist" >&2; exit 1; }

# ---------------------------------------------------------------- browser tests

step "browser tests (playwright-core + headless Chromium)"
cd "$repo/web"
rm -f test-results/e2e-results.json
e2e_status=0
PMO_BASE_URL="http://127.0.0.1:$port" node e2e/run.mjs "${WEB_E2E_FILTER:-}" || e2e_status=$?
read -r e2e_passed e2e_failed < <(node -e '
  try { const r = require("./test-results/e2e-results.json"); console.log(r.passed, r.failed); }
  catch { console.log(0, 1); }')
[ "$e2e_status" -ne 0 ] && [ "$e2e_failed" -eq 0 ] && e2e_failed=1
if [ "$e2e_failed" -ne 0 ]; then
  say "server log (last 40 lines):"
  tail -n 40 "$data_dir/server.log" >&2 || true
fi
say "screenshots: web/test-results/screenshots/"

echo
echo "web-unit: $unit_passed passed, $unit_failed failed"
echo "web-e2e: $e2e_passed passed, $e2e_failed failed"
[ "$unit_failed" -eq 0 ] && [ "$e2e_failed" -eq 0 ]
