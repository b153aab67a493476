#!/usr/bin/env bash
# Install a pmo release and switch to it, rolling back automatically when it does not become ready.
#
# On an instance (as root):   deploy.sh --version 1.4.0 --bucket <code-bucket>
# Bare metal, local tarball:  deploy.sh --tarball pmo-1.4.0-linux-x86_64.tar.gz
# On AWS instances by tag:    deploy.sh --ssm --bucket <code-bucket> --target tag:pmo-deployment=pmo-production
#
# Steps on a host: download (or take) the tarball, verify its SHA-256, unpack it into
# /opt/pmo/releases/<version>, run `pmo migrate` with the NEW binary (migrations are
# expand/contract, so the previous release keeps working on the migrated schema), install the
# systemd unit, point /opt/pmo/current at the release, restart pmo, wait for
# /api/health/ready, and on failure switch back to the previous release.
# The database is never dropped or reseeded.
set -euo pipefail

PROG=deploy.sh
# Host layout. The PMO_DEPLOY_* overrides exist for the scripts' own tests (a sandbox instead of
# the real paths); production hosts use the defaults.
ROOT=${PMO_DEPLOY_ROOT:-/opt/pmo}
RELEASES=$ROOT/releases
ENV_FILE=${PMO_DEPLOY_ENV_FILE:-/etc/pmo/pmo.env}
UNIT=${PMO_DEPLOY_UNIT:-/etc/systemd/system/pmo.service}
SBIN=${PMO_DEPLOY_SBIN:-/usr/local/sbin}
DATA_DIR=${PMO_DEPLOY_DATA_DIR:-/var/lib/pmo}
SERVICE_USER=${PMO_DEPLOY_USER:-pmo}
LOCK_FILE=${PMO_DEPLOY_LOCK:-/run/lock/pmo-deploy.lock}

version=""
bucket="${PMO_CODE_BUCKET:-}"
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
prefix=releases
tarball=""
activate=""
ssm=false
target=""
instance_ids=""
concurrency=1
timeout_seconds=1800
health_url=""
health_timeout=180
keep=5
rollback=true
migrate=true
force=false

usage() {
  cat <<'EOF'
Usage:
  deploy.sh [--version V|latest] [--bucket B] [options]       install from the code bucket (run as root on the host)
  deploy.sh --tarball FILE [options]                           install a local release tarball (FILE.sha256 must be beside it)
  deploy.sh --ssm --bucket B (--target tag:K=V | --instance-ids i-1,i-2) [--version V] [options]
                                                               run the same on AWS instances through Systems Manager

Installs a pmo release into /opt/pmo/releases/<version>, verifies its SHA-256, runs `pmo migrate`
with the new binary, switches /opt/pmo/current, restarts the pmo service and waits until
/api/health/ready answers 200. If it does not, the previous release is restored and restarted.
The database is never dropped or reseeded.

Options:
  --version V          release to install; "latest" (default) reads <bucket>/<prefix>/latest
  --bucket B           code bucket (default: $PMO_CODE_BUCKET)
  --region R           AWS region (default: $AWS_REGION, then the AWS CLI configuration)
  --prefix P           key prefix of the releases in the bucket (default: releases)
  --tarball FILE       install this tarball instead of downloading (checksum file FILE.sha256 required)
  --activate V         switch to release V already unpacked on this host, without migrating (used by rollback.sh)
  --health-url URL     readiness URL (default: http://127.0.0.1:<port of PMO_LISTEN>/api/health/ready)
  --health-timeout S   seconds to wait for readiness (default: 180)
  --keep N             releases kept on disk, besides the current and previous ones (default: 5)
  --no-migrate         do not run `pmo migrate` before switching (the unit still migrates at start)
  --no-rollback        leave a release that fails its readiness check in place (debugging)
  --force              reinstall even if V is already the current release
  --ssm                run on AWS instances via `aws ssm send-command` (one instance at a time)
  --target tag:K=V     instances to deploy to, by tag (e.g. tag:pmo-deployment=pmo-production)
  --instance-ids LIST  comma-separated instance ids instead of --target
  --concurrency N      instances deployed at the same time with --ssm (default: 1)
  --timeout S          seconds the whole --ssm command may take (default: 1800)
  -h, --help           show this help
EOF
}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
need_value() { if [ "$#" -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value (see --help)"; fi; }

while [ "$#" -gt 0 ]; do
  case "$1" in
    --version) need_value "$@"; version="$2"; shift 2 ;;
    --bucket) need_value "$@"; bucket="$2"; shift 2 ;;
    --region) need_value "$@"; region="$2"; shift 2 ;;
    --prefix) need_value "$@"; prefix="${2%/}"; shift 2 ;;
    --tarball) need_value "$@"; tarball="$2"; shift 2 ;;
    --activate) need_value "$@"; activate="$2"; shift 2 ;;
    --health-url) need_value "$@"; health_url="$2"; shift 2 ;;
    --health-timeout) need_value "$@"; health_timeout="$2"; shift 2 ;;
    --keep) need_value "$@"; keep="$2"; shift 2 ;;
    --no-migrate) migrate=false; shift ;;
    --no-rollback) rollback=false; shift ;;
    --force) force=true; shift ;;
    --ssm) ssm=true; shift ;;
    --target) need_value "$@"; target="$2"; shift 2 ;;
    --instance-ids) need_value "$@"; instance_ids="$2"; shift 2 ;;
    --concurrency) need_value "$@"; concurrency="$2"; shift 2 ;;
    --timeout) need_value "$@"; timeout_seconds="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

valid_version() { [[ "$1" =~ ^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$ ]]; }
is_number() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_number "$health_timeout" || die "--health-timeout must be a number of seconds"
is_number "$keep" || die "--keep must be a number"
[[ "$concurrency" =~ ^[1-9][0-9]*$ ]] || die "--concurrency must be a positive number"
is_number "$timeout_seconds" || die "--timeout must be a number of seconds"
[ -z "$health_url" ] || [[ "$health_url" =~ ^https?://[A-Za-z0-9.:/_?=-]+$ ]] || die "--health-url must be a plain http(s) URL"

# The AWS CLI is a snap on Ubuntu AMIs.
[ -d /snap/bin ] && PATH="$PATH:/snap/bin"

aws_cli() {
  if [ -n "$region" ]; then aws --region "$region" "$@"; else aws "$@"; fi
}

resolve_latest() {
  [ -n "$bucket" ] || die "--bucket (or PMO_CODE_BUCKET) is required to resolve 'latest'"
  local v
  v=$(aws_cli s3 cp "s3://$bucket/$prefix/latest" - 2>/dev/null | tr -d '[:space:]') ||
    die "cannot read s3://$bucket/$prefix/latest (no release uploaded yet? run release.sh)"
  valid_version "$v" || die "s3://$bucket/$prefix/latest holds an invalid version: '$v'"
  printf '%s' "$v"
}

# ------------------------------------------------------------------------------------------------
# --ssm: run this deployment on the instances through Systems Manager Run Command.

deploy_via_ssm() {
  command -v aws >/dev/null || die "the AWS CLI is required for --ssm"
  [ -n "$bucket" ] || die "--bucket (or PMO_CODE_BUCKET) is required with --ssm"
  if [ -n "$tarball" ] || [ -n "$activate" ]; then
    die "--tarball and --activate run on the host itself, not with --ssm"
  fi

  local targets
  if [ -n "$instance_ids" ]; then
    targets="Key=InstanceIds,Values=$instance_ids"
  elif [[ "$target" =~ ^(tag:)?([^=]+)=(.+)$ ]]; then
    targets="Key=tag:${BASH_REMATCH[2]},Values=${BASH_REMATCH[3]}"
  else
    die "--ssm needs --target tag:KEY=VALUE (terraform output deployment_tag) or --instance-ids"
  fi

  if [ -z "$version" ] || [ "$version" = latest ]; then
    version=$(resolve_latest)
    log "latest release is $version"
  fi
  valid_version "$version" || die "invalid version '$version'"

  local extra=""
  [ "$migrate" = true ] || extra+=" --no-migrate"
  [ "$rollback" = true ] || extra+=" --no-rollback"
  [ "$force" = true ] && extra+=" --force"
  [ -n "$health_url" ] && extra+=" --health-url '$health_url'"

  # The remote script downloads the release, verifies it and runs that release's own deploy.sh.
  # It travels base64-encoded so no quoting survives into the SSM parameters.
  local remote encoded
  remote=$(cat <<EOF
set -euo pipefail
export PATH="\$PATH:/snap/bin"
v='$version'; b='$bucket'; p='$prefix'; r='${region}'
name="pmo-\$v-linux-\$(uname -m).tar.gz"
work=\$(mktemp -d)
trap 'rm -rf "\$work"' EXIT
region_arg=(); [ -n "\$r" ] && region_arg=(--region "\$r")
aws "\${region_arg[@]}" s3 cp --only-show-errors "s3://\$b/\$p/\$v/\$name" "\$work/\$name"
aws "\${region_arg[@]}" s3 cp --only-show-errors "s3://\$b/\$p/\$v/\$name.sha256" "\$work/\$name.sha256"
(cd "\$work" && sha256sum --check --strict "\$name.sha256")
tar -xzf "\$work/\$name" -C "\$work" "pmo-\$v/scripts/deploy.sh"
bash "\$work/pmo-\$v/scripts/deploy.sh" --version "\$v" --tarball "\$work/\$name" --health-timeout $health_timeout --keep $keep "\${region_arg[@]}"$extra
EOF
)
  encoded=$(printf '%s\n' "$remote" | base64 | tr -d '\n')

  local params
  params=$(printf '{"commands":["echo %s | base64 -d | bash"],"executionTimeout":["%s"]}' "$encoded" "$timeout_seconds")

  log "sending release $version to instances ($targets), $concurrency at a time"
  local command_id
  command_id=$(aws_cli ssm send-command \
    --document-name AWS-RunShellScript \
    --comment "pmo deploy $version" \
    --targets "$targets" \
    --max-concurrency "$concurrency" \
    --max-errors 0 \
    --timeout-seconds 600 \
    --parameters "$params" \
    --query Command.CommandId --output text) || die "aws ssm send-command failed"
  log "command $command_id sent; following it (Ctrl-C stops following, not the deployment)"

  local status="Pending" deadline=$((SECONDS + timeout_seconds + 120)) line
  while :; do
    line=$(aws_cli ssm list-commands --command-id "$command_id" \
      --query 'Commands[0].[Status,TargetCount,CompletedCount,ErrorCount]' --output text)
    read -r status total done_count errors <<<"$line"
    log "status $status: $done_count of $total instances done, $errors failed"
    case "$status" in
      Success | Failed | Cancelled | TimedOut | Cancelling) break ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || die "gave up following command $command_id"
    sleep 10
  done

  aws_cli ssm list-command-invocations --command-id "$command_id" --details \
    --query 'CommandInvocations[].[InstanceId,Status,CommandPlugins[0].Output]' --output text >&2 || true

  if [ "${total:-0}" = 0 ]; then
    die "no instance matched $targets (is the SSM agent online? aws ssm describe-instance-information)"
  fi
  [ "$status" = Success ] || die "deployment of $version ended with status $status (failed instances rolled back to their previous release)"
  log "release $version is live on $total instance(s)"
}

if [ "$ssm" = true ]; then
  deploy_via_ssm
  exit 0
fi

# ------------------------------------------------------------------------------------------------
# On the host.

[ "$(id -u)" = 0 ] || die "run as root on the host (or use --ssm from a workstation)"
command -v systemctl >/dev/null || die "systemd is required on the host"
command -v curl >/dev/null || die "curl is required on the host (apt-get install curl)"

install -d -m 0755 "$(dirname "$LOCK_FILE")"
exec 9>"$LOCK_FILE"
flock -n 9 || die "another deploy or rollback is running on this host"

current_version() {
  local link
  link=$(readlink "$ROOT/current" 2>/dev/null) || return 0
  basename "$link"
}

health_url_default() {
  local listen port
  listen=$(sed -n 's/^PMO_LISTEN=//p' "$ENV_FILE" 2>/dev/null | tail -n 1)
  port=${listen##*:}
  [[ "$port" =~ ^[0-9]+$ ]] || port=4000
  printf 'http://127.0.0.1:%s/api/health/ready' "$port"
}

wait_ready() {
  local url="$1" deadline=$((SECONDS + health_timeout)) code
  log "waiting up to ${health_timeout}s for $url"
  while [ "$SECONDS" -lt "$deadline" ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
    if [ "$code" = 200 ]; then
      log "ready ($url answered 200)"
      return 0
    fi
    if ! systemctl is-active --quiet pmo && [ "$(systemctl show -p ActiveState --value pmo)" = failed ]; then
      log "the pmo service failed"
      return 1
    fi
    sleep 2
  done
  log "not ready after ${health_timeout}s (last answer: ${code:-none})"
  return 1
}

render_env() {
  # On AWS the secrets are rendered from SSM Parameter Store (installed by the user data).
  if [ -x "$SBIN/pmo-render-env" ]; then
    "$SBIN/pmo-render-env"
  fi
  [ -f "$ENV_FILE" ] || die "$ENV_FILE is missing: create it from systemd/pmo.env.example in the release (mode 0600, owner pmo)"
}

ensure_layout() {
  id "$SERVICE_USER" >/dev/null 2>&1 ||
    useradd --system --home-dir "$DATA_DIR" --shell /usr/sbin/nologin --user-group "$SERVICE_USER"
  install -d -m 0755 "$ROOT" "$RELEASES"
  install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$DATA_DIR"
  install -d -m 0750 -o root -g "$SERVICE_USER" "$(dirname "$ENV_FILE")"
}

install_unit() {
  local dir="$1"
  if ! cmp -s "$dir/systemd/pmo.service" "$UNIT"; then
    log "installing $UNIT from $(basename "$dir")"
    install -D -m 0644 "$dir/systemd/pmo.service" "$UNIT"
  fi
  systemctl daemon-reload
  systemctl enable --quiet pmo
}

# Atomically point /opt/pmo/current at a release.
point_current_at() {
  ln -sfn "releases/$1" "$ROOT/.current.new"
  mv -Tf "$ROOT/.current.new" "$ROOT/current"
}

switch_to() {
  local v="$1"
  install_unit "$RELEASES/$v"
  point_current_at "$v"
  log "restarting pmo on release $v"
  systemctl restart pmo || true
}

prune_releases() {
  local current previous n=0 dir name
  current=$(current_version)
  previous=$(basename "$(readlink "$ROOT/previous" 2>/dev/null || echo none)")
  # Newest first; keep $keep of them plus current and previous.
  while IFS= read -r dir; do
    name=$(basename "$dir")
    if [ "$name" = "$current" ] || [ "$name" = "$previous" ]; then
      continue
    fi
    n=$((n + 1))
    if [ "$n" -gt "$keep" ]; then
      log "removing old release $name"
      rm -rf -- "$dir"
    fi
  done < <(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
}

install_helpers() {
  local dir="$1"
  install -d -m 0755 "$SBIN"
  install -m 0755 "$dir/scripts/deploy.sh" "$SBIN/pmo-deploy"
  install -m 0755 "$dir/scripts/rollback.sh" "$SBIN/pmo-rollback"
}

# Switch to release $1 (already unpacked), wait for readiness, and roll back on failure.
activate_release() {
  local v="$1" previous url
  [ -x "$RELEASES/$v/bin/pmo" ] || die "release $v is not installed in $RELEASES"
  previous=$(current_version)
  url=${health_url:-$(health_url_default)}

  switch_to "$v"
  if wait_ready "$url"; then
    if [ -n "$previous" ] && [ "$previous" != "$v" ]; then
      ln -sfn "releases/$previous" "$ROOT/previous"
    fi
    install_helpers "$RELEASES/$v"
    prune_releases
    log "release $v is live (previous: ${previous:-none})"
    return 0
  fi

  journalctl -u pmo -n 40 --no-pager >&2 || true
  if [ "$rollback" != true ]; then
    die "release $v is not ready; left in place (--no-rollback)"
  fi
  if [ -z "$previous" ] || [ "$previous" = "$v" ] || [ ! -x "$RELEASES/$previous/bin/pmo" ]; then
    die "release $v is not ready and there is no previous release to roll back to"
  fi
  log "rolling back to $previous"
  switch_to "$previous"
  if wait_ready "$url"; then
    die "release $v was not ready; rolled back to $previous, which is serving again"
  fi
  die "release $v was not ready and $previous did not become ready either: investigate now (journalctl -u pmo)"
}

ensure_layout

if [ -n "$activate" ]; then
  valid_version "$activate" || die "invalid version '$activate'"
  render_env
  activate_release "$activate"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "$tarball" ]; then
  [ -f "$tarball" ] || die "no such tarball: $tarball"
  if [ -z "$version" ]; then
    version=$(basename "$tarball")
    version=${version#pmo-}
    version=${version%-linux-*}
  fi
  valid_version "$version" || die "cannot tell the version from $(basename "$tarball"); pass --version"
  [ -f "$tarball.sha256" ] || die "checksum file $tarball.sha256 is missing (release.sh writes it next to the tarball)"
  cp "$tarball" "$tarball.sha256" "$work/"
  name=$(basename "$tarball")
else
  command -v aws >/dev/null || die "the AWS CLI is required to download releases (or pass --tarball)"
  [ -n "$bucket" ] || die "--bucket (or PMO_CODE_BUCKET) is required (or pass --tarball)"
  if [ -z "$version" ] || [ "$version" = latest ]; then
    version=$(resolve_latest)
  fi
  valid_version "$version" || die "invalid version '$version'"
  name="pmo-$version-linux-$(uname -m).tar.gz"
fi

if [ "$(current_version)" = "$version" ] && [ "$force" != true ]; then
  log "release $version is already current (use --force to reinstall); checking readiness"
  render_env
  wait_ready "${health_url:-$(health_url_default)}" || die "current release $version is not ready"
  exit 0
fi

if [ -z "$tarball" ]; then
  log "downloading s3://$bucket/$prefix/$version/$name"
  aws_cli s3 cp --only-show-errors "s3://$bucket/$prefix/$version/$name" "$work/$name" ||
    die "cannot download release $version for $(uname -m)"
  aws_cli s3 cp --only-show-errors "s3://$bucket/$prefix/$version/$name.sha256" "$work/$name.sha256" ||
    die "cannot download the checksum of release $version"
fi

log "verifying SHA-256 of $name"
# The checksum file names the tarball; compare against the file we actually have.
expected=$(awk '{print $1; exit}' "$work/$name.sha256")
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "malformed checksum file $name.sha256"
actual=$(sha256sum "$work/$name" | awk '{print $1}')
[ "$expected" = "$actual" ] || die "checksum mismatch for $name: expected $expected, got $actual"

log "unpacking release $version"
tar -xzf "$work/$name" -C "$work"
[ -x "$work/pmo-$version/bin/pmo" ] || die "$name does not contain pmo-$version/bin/pmo"
"$work/pmo-$version/bin/pmo" --version >/dev/null || die "the pmo binary of $version does not run on this host"
staging="$RELEASES/.$version.new"
rm -rf -- "$staging"
mv "$work/pmo-$version" "$staging"
if [ -d "$RELEASES/$version" ]; then
  rm -rf -- "${RELEASES:?}/$version"
fi
mv "$staging" "$RELEASES/$version"
touch "$RELEASES/$version"

render_env
if [ "$migrate" = true ]; then
  log "applying migrations with release $version (expand/contract: the running release keeps working)"
  # systemd-run gives the migration the service's user and parses the environment file exactly
  # as the unit does.
  systemd-run --wait --pipe --collect --quiet \
    --uid="$SERVICE_USER" --gid="$SERVICE_USER" \
    -p EnvironmentFile="$ENV_FILE" \
    -p Environment=PMO_DATA_DIR="$DATA_DIR" \
    -p WorkingDirectory="$DATA_DIR" \
    "$RELEASES/$version/bin/pmo" migrate ||
    die "migrations of release $version failed; nothing was switched, the current release keeps running"
fi

activate_release "$version"
