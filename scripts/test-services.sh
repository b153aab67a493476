#!/usr/bin/env bash
# Starts (idempotently) the services the test suites need and writes their addresses to
# .test-services/env, which `make test` sources. Stop them with `scripts/test-services.sh stop`.
#
# PostgreSQL: reuses TEST_DATABASE_URL when given; otherwise runs a throwaway cluster from the
# machine's PostgreSQL server binaries on 127.0.0.1 (fsync off: test data is disposable).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
env_dir="$repo/.test-services"
# Cluster files live under /tmp: the postgres user must be able to reach them, and a checkout under
# /root is not traversable for it.
state_dir="/tmp/pmo-test-services-$(printf '%s' "$repo" | md5sum | cut -c1-8)"
pg_dir="$state_dir/pg"
pg_port="${TEST_PG_PORT:-55432}"

say() { printf '[test-services] %s\n' "$*" >&2; }

find_pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  local best
  best=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$best" ] && [ -x "$best/initdb" ] && { echo "$best"; return; }
  return 1
}

install_pg() {
  say "PostgreSQL server binaries not found; installing them with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
}

run_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_pg() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    say "using the PostgreSQL given in TEST_DATABASE_URL"
    echo "export DATABASE_URL='$TEST_DATABASE_URL'" >> "$env_dir/env"
    return
  fi
  local bindir
  bindir=$(find_pg_bindir) || { install_pg; bindir=$(find_pg_bindir); }
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    say "creating the unprivileged system user 'postgres' to run the test cluster"
    useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
  fi
  mkdir -p "$pg_dir"
  chmod 755 "$state_dir" "$pg_dir"
  [ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
  if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
    say "creating a throwaway PostgreSQL cluster in $pg_dir ($("$bindir/postgres" --version))"
    run_as_pg "$bindir/initdb" -D "$pg_dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C >/dev/null
  fi
  if run_as_pg "$bindir/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
    say "PostgreSQL already running on 127.0.0.1:$pg_port"
  else
    say "starting PostgreSQL on 127.0.0.1:$pg_port"
    run_as_pg "$bindir/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
      -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null
  fi
  # The tests connect as a non-superuser that may create databases (one per test).
  run_as_pg "$bindir/psql" -h "$pg_dir" -p "$pg_port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pmo_test') THEN
    CREATE ROLE pmo_test LOGIN CREATEDB PASSWORD 'pmo_test';
  END IF;
END $$;
SQL
  if ! run_as_pg "$bindir/psql" -h "$pg_dir" -p "$pg_port" -U postgres -d postgres -qAt \
      -c "SELECT 1 FROM pg_database WHERE datname = 'pmo_test'" | grep -q 1; then
    run_as_pg "$bindir/psql" -h "$pg_dir" -p "$pg_port" -U postgres -d postgres -q -c "CREATE DATABASE pmo_test OWNER pmo_test"
  fi
  echo "export DATABASE_URL='postgres://pmo_test:pmo_test@127.0.0.1:$pg_port/pmo_test'" >> "$env_dir/env"
}

stop_pg() {
  local bindir
  bindir=$(find_pg_bindir) || return 0
  if [ -f "$pg_dir/data/PG_VERSION" ] && run_as_pg "$bindir/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
    say "stopping PostgreSQL"
    run_as_pg "$bindir/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null
  fi
}

case "${1:-start}" in
  start)
    mkdir -p "$env_dir"
    : > "$env_dir/env"
    start_pg
    say "service addresses written to .test-services/env"
    ;;
  stop)
    stop_pg
    ;;
  *)
    echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
