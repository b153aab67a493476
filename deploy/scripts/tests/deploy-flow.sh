#!/usr/bin/env bash
# Exercises release.sh -> deploy.sh -> automatic rollback -> rollback.sh end to end in a sandbox
# directory. systemctl, systemd-run, journalctl and curl are replaced by stubs and the pmo binary
# by a fake, so no real path, service or network is touched. Needs root (deploy.sh insists on
# it). Prints one line per check and exits non-zero if any fails; exits 77 (the usual "skipped"
# status of test harnesses) when it cannot run here, so that callers do not count it as passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scripts=$(dirname "$here")

if [ "$(id -u)" != 0 ]; then
  echo "deploy-flow: skipped (deploy.sh must run as root)"
  exit 77
fi

sandbox=$(mktemp -d)
trap 'rm -rf "$sandbox"' EXIT
stubs="$sandbox/stubs"
mkdir -p "$stubs" "$sandbox/dist" "$sandbox/bin"

export PMO_DEPLOY_ROOT="$sandbox/opt/pmo"
export PMO_DEPLOY_ENV_FILE="$sandbox/etc/pmo/pmo.env"
export PMO_DEPLOY_UNIT="$sandbox/etc/systemd/pmo.service"
export PMO_DEPLOY_SBIN="$sandbox/sbin"
export PMO_DEPLOY_DATA_DIR="$sandbox/var/lib/pmo"
export PMO_DEPLOY_USER=root
export PMO_DEPLOY_LOCK="$sandbox/deploy.lock"
export SANDBOX="$sandbox"

# --- stubs ---------------------------------------------------------------------------------------
cat >"$stubs/systemctl" <<'STUB'
#!/bin/sh
echo "systemctl $*" >>"$SANDBOX/systemctl.log"
case "$1" in
  show) echo active ;;
esac
exit 0
STUB
cat >"$stubs/systemd-run" <<'STUB'
#!/bin/sh
# Drop systemd-run's own options, run the command.
while [ "$#" -gt 0 ]; do
  case "$1" in
    -p) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
exec "$@"
STUB
cat >"$stubs/journalctl" <<'STUB'
#!/bin/sh
exit 0
STUB
# Readiness: 503 while the current release is a "broken" one, 200 otherwise.
cat >"$stubs/curl" <<'STUB'
#!/bin/sh
if grep -q broken "$PMO_DEPLOY_ROOT/current/VERSION" 2>/dev/null; then printf 503; else printf 200; fi
STUB
# The AWS CLI: S3 reads come from the sandbox's dist/ folder ("bucket" releases/<v>/<file> and
# releases/latest); send-command is recorded and reported as successful.
cat >"$stubs/aws" <<'STUB'
#!/bin/bash
echo "aws $*" >>"$SANDBOX/aws.log"
args=("$@")
while [ "${args[0]:-}" = --region ]; do args=("${args[@]:2}"); done
set -- "${args[@]}"
case "$1 $2" in
  "s3 cp")
    shift 2
    while [ "${1:-}" != "${1#--}" ]; do shift; done
    src=$1 dst=$2
    case "$src" in
      */releases/latest) cat "$SANDBOX/dist/latest" ;;
      s3://*) cp "$SANDBOX/dist/$(basename "$src")" "$dst" ;;
    esac ;;
  "ssm send-command") echo "cmd-0001" ;;
  "ssm list-commands") printf 'Success\t2\t2\t0\n' ;;
  "ssm list-command-invocations") printf 'i-0001\tSuccess\tok\n' ;;
esac
STUB
chmod +x "$stubs"/*
export PATH="$stubs:$PATH"

# A fake pmo: `--version` and `migrate` (which fails for versions containing "badmigration").
fake_pmo() {
  cat >"$sandbox/bin/pmo" <<STUB
#!/bin/sh
case "\$1" in
  --version) echo "pmo $1" ;;
  migrate) case "$1" in *badmigration*) echo "migration failed" >&2; exit 1 ;; esac
           echo "$1" >>"\$SANDBOX/migrations.log" ;;
esac
STUB
  chmod +x "$sandbox/bin/pmo"
}

release() {
  fake_pmo "$1"
  bash "$scripts/release.sh" --no-upload --binary "$sandbox/bin/pmo" --arch x86_64 \
    --version "$1" --out "$sandbox/dist" 2>>"$sandbox/release.log"
}

deploy() {
  bash "$scripts/deploy.sh" --tarball "$sandbox/dist/pmo-$1-linux-x86_64.tar.gz" --health-timeout 3 \
    >>"$sandbox/deploy.log" 2>&1
}

refused() { ! deploy "$@"; }

current() { basename "$(readlink "$PMO_DEPLOY_ROOT/current")"; }

passed=0
failed=0
check() {
  local what="$1"
  shift
  if "$@"; then
    echo "  ok    $what"
    passed=$((passed + 1))
  else
    echo "  FAIL  $what"
    failed=$((failed + 1))
  fi
}

mkdir -p "$(dirname "$PMO_DEPLOY_ENV_FILE")"
printf 'PMO_LISTEN=127.0.0.1:4999\n' >"$PMO_DEPLOY_ENV_FILE"

# --- the flow ------------------------------------------------------------------------------------
release 1.0.0
release 1.1.0
release 1.2.0-broken
release 1.3.0-badmigration
check "release.sh writes a tarball and its checksum" test -f "$sandbox/dist/pmo-1.0.0-linux-x86_64.tar.gz.sha256"
check "the checksum file verifies" bash -c "cd '$sandbox/dist' && sha256sum --check --quiet pmo-1.0.0-linux-x86_64.tar.gz.sha256"
check "the tarball holds binary, unit, example config and scripts" bash -c \
  "tar -tzf '$sandbox/dist/pmo-1.0.0-linux-x86_64.tar.gz' | sort | grep -c -e bin/pmo -e systemd/pmo.service -e pmo.example.toml -e scripts/deploy.sh -e scripts/rollback.sh | grep -qx 5"

check "first deploy succeeds" deploy 1.0.0
check "current points at 1.0.0" test "$(current)" = 1.0.0
check "migrations ran with the new binary" grep -qx 1.0.0 "$sandbox/migrations.log"
check "the unit and the helper commands are installed" test -f "$PMO_DEPLOY_UNIT" -a -x "$PMO_DEPLOY_SBIN/pmo-rollback"

check "upgrade to 1.1.0 succeeds" deploy 1.1.0
check "current is 1.1.0, previous is 1.0.0" test "$(current)/$(basename "$(readlink "$PMO_DEPLOY_ROOT/previous")")" = 1.1.0/1.0.0
check "deploying the current release again is a no-op" deploy 1.1.0

check "a release that never becomes ready is refused" refused 1.2.0-broken
check "... and 1.1.0 is serving again (automatic rollback)" test "$(current)" = 1.1.0

check "a release whose migrations fail is refused" refused 1.3.0-badmigration
check "... before anything was switched" test "$(current)" = 1.1.0

# Change the first hex digit of the recorded checksum (to a different digit, whatever it was).
sed -i 's/^0/1/;t;s/^./0/' "$sandbox/dist/pmo-1.0.0-linux-x86_64.tar.gz.sha256"
check "a tarball with a wrong checksum is refused" refused 1.0.0

roll() { bash "$scripts/rollback.sh" --health-timeout 3 "$@" >>"$sandbox/deploy.log" 2>&1; }
check "rollback.sh returns to the previous release" roll
check "... 1.0.0 is current" test "$(current)" = 1.0.0
check "rolling back again returns to 1.1.0" roll
check "... 1.1.0 is current" test "$(current)" = 1.1.0

# Downloading from the code bucket: "latest" is resolved through the pointer object.
release 1.4.0
echo 1.4.0 >"$sandbox/dist/latest"
from_bucket() {
  bash "$scripts/deploy.sh" --bucket code-bucket --version latest --health-timeout 3 \
    >>"$sandbox/deploy.log" 2>&1
}
if [ "$(uname -m)" = x86_64 ]; then
  check "deploy --version latest downloads, verifies and installs 1.4.0" from_bucket
  check "... 1.4.0 is current" test "$(current)" = 1.4.0
fi

# --ssm sends a self-contained script (base64) that must be valid bash and run deploy.sh.
via_ssm() {
  bash "$scripts/deploy.sh" --ssm --bucket code-bucket --target tag:pmo-deployment=pmo-test \
    --region us-east-1 >>"$sandbox/deploy.log" 2>&1
}
ssm_script() {
  # shellcheck disable=SC2016 # the literal text of the remote script is searched for
  grep 'ssm send-command' "$sandbox/aws.log" | tail -n 1 |
    sed 's/.*"commands":\["echo \([A-Za-z0-9+\/=]*\) .*/\1/' | base64 -d >"$sandbox/remote.sh" &&
    bash -n "$sandbox/remote.sh" && grep -q 'scripts/deploy.sh" --version "$v"' "$sandbox/remote.sh" &&
    grep -q "Key=tag:pmo-deployment,Values=pmo-test" "$sandbox/aws.log" &&
    grep -q -- "--max-concurrency 1 --max-errors 0" "$sandbox/aws.log"
}
check "deploy --ssm sends release 1.4.0 one instance at a time" via_ssm
check "... as a valid self-contained script" ssm_script
check "the scripts never drop or reseed the database" bash -c \
  "! cat '$scripts/deploy.sh' '$scripts/rollback.sh' '$scripts/release.sh' | grep -vE '^[[:space:]]*#' | grep -qiE 'drop (schema|database|table)|pmo seed|db-import'"

echo "deploy-flow: $passed passed, $failed failed"
if [ -n "${VERBOSE:-}" ]; then
  cat "$sandbox/deploy.log" >&2
fi
if [ "$failed" -ne 0 ]; then
  echo "--- deploy.log" >&2
  tail -n 40 "$sandbox/deploy.log" >&2
  exit 1
fi
