#!/usr/bin/env bash
# Starts (idempotently) an S3-compatible server for the attachment tests and writes its address and
# credentials to .test-services/s3.env, which `make test` sources. Stop it with
# `scripts/test-s3.sh stop`.
#
# The server is Garage (https://garagehq.deuxfleurs.fr): it checks SigV4 signatures, so presigned
# URLs are tested for real. It is installed with `cargo install` when missing (8–17 minutes once;
# the binary in ~/.cargo/bin is reused after that). Single node, replication factor 1, sqlite
# metadata, data under /tmp, listening on 127.0.0.1 only.
#
# Overrides: TEST_S3_PORT (S3 API, default 53900; RPC and admin use the next ports),
# GARAGE_VERSION (default 2.5.0), GARAGE_BIN (use this binary instead of installing one).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
env_dir="$repo/.test-services"
env_file="$env_dir/s3.env"
state_dir="/tmp/pmo-test-s3-$(printf '%s' "$repo" | md5sum | cut -c1-8)"
config="$state_dir/garage.toml"
pid_file="$state_dir/garage.pid"
log_file="$state_dir/garage.log"
s3_port="${TEST_S3_PORT:-53900}"
rpc_port=$((s3_port + 1))
admin_port=$((s3_port + 3))
version="${GARAGE_VERSION:-2.5.0}"
bucket="pmo-test"
# A second bucket: `backup.s3_bucket` tests write database backups there, not into `bucket`.
backup_bucket="pmo-test-backups"
key_name="pmo-test"
region="garage"

say() { printf '[test-s3] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

find_garage() {
  if [ -n "${GARAGE_BIN:-}" ]; then echo "$GARAGE_BIN"; return; fi
  if command -v garage >/dev/null 2>&1; then command -v garage; return; fi
  local cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin/garage"
  [ -x "$cargo_bin" ] && { echo "$cargo_bin"; return; }
  return 1
}

install_garage() {
  command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs) or set GARAGE_BIN"
  say "Garage not found: installing garage $version with cargo (about 8–17 minutes, once; cached in ~/.cargo/bin)"
  local started=$SECONDS
  cargo install garage --locked --version "$version" >&2 \
    || die "cargo install garage failed; install it yourself and set GARAGE_BIN=/path/to/garage"
  say "Garage installed in $((SECONDS - started)) s"
}

g() { "$garage" -c "$config" "$@"; }

s3_answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$s3_port/" 2>/dev/null; }

running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

write_config() {
  mkdir -p "$state_dir/meta" "$state_dir/data"
  chmod 700 "$state_dir"
  [ -f "$state_dir/rpc_secret" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$state_dir/rpc_secret"
  [ -f "$state_dir/admin_token" ] || od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > "$state_dir/admin_token"
  cat > "$config" <<EOF
# Written by scripts/test-s3.sh: a throwaway single-node Garage for the tests.
metadata_dir = "$state_dir/meta"
data_dir = "$state_dir/data"
db_engine = "sqlite"
metadata_fsync = false
data_fsync = false
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$rpc_port"
rpc_public_addr = "127.0.0.1:$rpc_port"
rpc_secret = "$(cat "$state_dir/rpc_secret")"

[s3_api]
s3_region = "$region"
api_bind_addr = "127.0.0.1:$s3_port"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$admin_port"
admin_token = "$(cat "$state_dir/admin_token")"
EOF
  chmod 600 "$config"
}

start() {
  garage=$(find_garage) || { install_garage; garage=$(find_garage) || die "garage is still not on PATH after installing"; }
  say "using $("$garage" --version 2>/dev/null | head -n 1) ($garage)"
  write_config
  if running && s3_answers; then
    say "Garage already running on 127.0.0.1:$s3_port"
  else
    [ -f "$pid_file" ] && rm -f "$pid_file"
    say "starting Garage on 127.0.0.1:$s3_port (log: $log_file)"
    nohup "$garage" -c "$config" server > "$log_file" 2>&1 &
    echo $! > "$pid_file"
    for _ in $(seq 1 100); do
      s3_answers && break
      running || die "Garage exited at start-up; see $log_file"
      sleep 0.1
    done
    s3_answers || die "Garage did not answer on 127.0.0.1:$s3_port within 10 s; see $log_file"
  fi

  # One node holding every partition (idempotent: only when the node has no role yet).
  local node_id
  for _ in $(seq 1 50); do
    node_id=$(g node id -q 2>/dev/null | cut -d@ -f1) && [ -n "$node_id" ] && break
    sleep 0.2
  done
  [ -n "${node_id:-}" ] || die "cannot read the Garage node id; see $log_file"
  if ! g layout show 2>/dev/null | grep -q "^Current cluster layout version: [1-9]"; then
    say "assigning the storage layout"
    g layout assign -z dc1 -c 1G "$node_id" >/dev/null
    g layout apply --version 1 >/dev/null
  fi

  # Key and bucket (created once; the secret is read back on later runs).
  if ! g key info "$key_name" >/dev/null 2>&1; then
    say "creating access key $key_name"
    g key create "$key_name" >/dev/null
  fi
  local info key_id secret
  info=$(g key info --show-secret "$key_name")
  key_id=$(printf '%s\n' "$info" | awk -F': *' '/^Key ID/ {print $2; exit}')
  secret=$(printf '%s\n' "$info" | awk -F': *' '/^Secret key/ {print $2; exit}')
  [ -n "$key_id" ] && [ -n "$secret" ] || die "cannot read the key's id and secret from \`garage key info\`"
  local b
  for b in "$bucket" "$backup_bucket"; do
    if ! g bucket info "$b" >/dev/null 2>&1; then
      say "creating bucket $b"
      g bucket create "$b" >/dev/null
    fi
    g bucket allow --read --write --owner "$b" --key "$key_name" >/dev/null
  done

  mkdir -p "$env_dir"
  umask 077
  cat > "$env_file" <<EOF
# Written by scripts/test-s3.sh: the S3-compatible server the attachment tests use.
export PMO_TEST_S3_ENDPOINT='http://127.0.0.1:$s3_port'
export PMO_TEST_S3_REGION='$region'
export PMO_TEST_S3_BUCKET='$bucket'
export PMO_TEST_S3_BACKUP_BUCKET='$backup_bucket'
export PMO_TEST_S3_ACCESS_KEY_ID='$key_id'
export PMO_TEST_S3_SECRET_ACCESS_KEY='$secret'
EOF
  say "S3 ready: http://127.0.0.1:$s3_port bucket $bucket (settings in ${env_file#"$repo"/})"
}

stop() {
  if running; then
    say "stopping Garage (pid $(cat "$pid_file"))"
    kill "$(cat "$pid_file")"
    for _ in $(seq 1 50); do running || break; sleep 0.1; done
  else
    say "Garage is not running"
  fi
  rm -f "$pid_file" "$env_file"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  reset) stop; rm -rf "$state_dir"; say "removed $state_dir" ;;
  *) echo "usage: $0 [start|stop|reset]" >&2; exit 2 ;;
esac
