#!/usr/bin/env bash
# Switch pmo back to the previous release (or a named one) and wait until it is ready.
#
# On the host (as root):      rollback.sh [--to 1.3.2]
# On AWS instances by tag:    rollback.sh --ssm --target tag:pmo-deployment=pmo-production [--to 1.3.2]
#
# The database is not touched: migrations follow expand/contract, so the previous release works
# on the current schema. Rolling back twice returns to where you started.
set -euo pipefail

PROG=rollback.sh
ROOT=${PMO_DEPLOY_ROOT:-/opt/pmo} # override only for the scripts' own tests
RELEASES=$ROOT/releases

to=""
ssm=false
target=""
instance_ids=""
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
concurrency=1
health_timeout=180
health_url=""

usage() {
  cat <<'EOF'
Usage:
  rollback.sh [--to VERSION] [options]                           on the host, as root
  rollback.sh --ssm (--target tag:K=V | --instance-ids LIST) [--to VERSION] [options]
                                                                 on AWS instances through Systems Manager

Points /opt/pmo/current back at the previous release (the /opt/pmo/previous link written by
deploy.sh) or at --to VERSION, restarts pmo and waits for /api/health/ready. If that release does
not become ready either, the release that was running is restored. Migrations are not reverted.

Options:
  --to VERSION         release to return to (must still be in /opt/pmo/releases; default: previous)
  --health-url URL     readiness URL (default: derived from PMO_LISTEN in /etc/pmo/pmo.env)
  --health-timeout S   seconds to wait for readiness (default: 180)
  --list               list the releases installed on this host and exit
  --ssm                run on AWS instances via `aws ssm send-command`
  --target tag:K=V     instances to roll back, by tag (terraform output deployment_tag)
  --instance-ids LIST  comma-separated instance ids instead of --target
  --region R           AWS region for --ssm (default: $AWS_REGION, then the AWS CLI configuration)
  --concurrency N      instances rolled back at the same time with --ssm (default: 1)
  -h, --help           show this help

After rolling back an autoscaling group, also move the bucket's latest pointer so that new
instances boot the same release:  release.sh --bucket B --promote VERSION
EOF
}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
need_value() { if [ "$#" -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value (see --help)"; fi; }

list=false
while [ "$#" -gt 0 ]; do
  case "$1" in
    --to) need_value "$@"; to="$2"; shift 2 ;;
    --health-url) need_value "$@"; health_url="$2"; shift 2 ;;
    --health-timeout) need_value "$@"; health_timeout="$2"; shift 2 ;;
    --list) list=true; shift ;;
    --ssm) ssm=true; shift ;;
    --target) need_value "$@"; target="$2"; shift 2 ;;
    --instance-ids) need_value "$@"; instance_ids="$2"; shift 2 ;;
    --region) need_value "$@"; region="$2"; shift 2 ;;
    --concurrency) need_value "$@"; concurrency="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

valid_version() { [[ "$1" =~ ^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$ ]]; }
[ -z "$to" ] || valid_version "$to" || die "invalid version '$to'"
[[ "$health_timeout" =~ ^[0-9]+$ ]] || die "--health-timeout must be a number of seconds"
[[ "$concurrency" =~ ^[1-9][0-9]*$ ]] || die "--concurrency must be a positive number"
[ -z "$health_url" ] || [[ "$health_url" =~ ^https?://[A-Za-z0-9.:/_?=-]+$ ]] || die "--health-url must be a plain http(s) URL"
[ -d /snap/bin ] && PATH="$PATH:/snap/bin"

aws_cli() {
  if [ -n "$region" ]; then aws --region "$region" "$@"; else aws "$@"; fi
}

if [ "$ssm" = true ]; then
  command -v aws >/dev/null || die "the AWS CLI is required for --ssm"
  if [ -n "$instance_ids" ]; then
    targets="Key=InstanceIds,Values=$instance_ids"
  elif [[ "$target" =~ ^(tag:)?([^=]+)=(.+)$ ]]; then
    targets="Key=tag:${BASH_REMATCH[2]},Values=${BASH_REMATCH[3]}"
  else
    die "--ssm needs --target tag:KEY=VALUE or --instance-ids"
  fi
  # pmo-rollback is installed on every instance by deploy.sh.
  remote="/usr/local/sbin/pmo-rollback --health-timeout $health_timeout"
  [ -z "$to" ] || remote+=" --to $to"
  [ -z "$health_url" ] || remote+=" --health-url $health_url"
  params=$(printf '{"commands":["%s"]}' "$remote")

  log "rolling back instances ($targets), $concurrency at a time"
  command_id=$(aws_cli ssm send-command --document-name AWS-RunShellScript \
    --comment "pmo rollback${to:+ to $to}" --targets "$targets" \
    --max-concurrency "$concurrency" --max-errors 0 --timeout-seconds 600 \
    --parameters "$params" --query Command.CommandId --output text) || die "aws ssm send-command failed"
  log "command $command_id sent"
  deadline=$((SECONDS + 1800))
  while :; do
    read -r status total done_count errors < <(aws_cli ssm list-commands --command-id "$command_id" \
      --query 'Commands[0].[Status,TargetCount,CompletedCount,ErrorCount]' --output text)
    log "status $status: $done_count of $total instances done, $errors failed"
    case "$status" in Success | Failed | Cancelled | TimedOut | Cancelling) break ;; esac
    [ "$SECONDS" -lt "$deadline" ] || die "gave up following command $command_id"
    sleep 10
  done
  aws_cli ssm list-command-invocations --command-id "$command_id" --details \
    --query 'CommandInvocations[].[InstanceId,Status,CommandPlugins[0].Output]' --output text >&2 || true
  [ "${total:-0}" != 0 ] || die "no instance matched $targets"
  [ "$status" = Success ] || die "rollback ended with status $status"
  log "rolled back on $total instance(s). New instances still boot the bucket's 'latest' release:"
  log "  release.sh --bucket <code-bucket> --promote <version>"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "run as root on the host (or use --ssm from a workstation)"

current=$(basename "$(readlink "$ROOT/current" 2>/dev/null || echo none)")

if [ "$list" = true ]; then
  find "$RELEASES" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%TY-%Tm-%Td %TH:%TM  %f\n' | sort -r |
    while read -r day time name; do
      mark=""
      [ "$name" = "$current" ] && mark="  <- current"
      printf '%s %s  %s%s\n' "$day" "$time" "$name" "$mark"
    done
  exit 0
fi

if [ -z "$to" ]; then
  to=$(basename "$(readlink "$ROOT/previous" 2>/dev/null || true)")
  if [ -z "$to" ] || [ "$to" = . ]; then
    die "no previous release recorded in $ROOT/previous; name one with --to (see --list)"
  fi
fi
[ "$to" != "$current" ] || die "release $to is already current"
[ -x "$RELEASES/$to/bin/pmo" ] || die "release $to is not installed in $RELEASES (see --list)"

log "rolling back from $current to $to (the database schema stays as it is)"
args=(--activate "$to" --health-timeout "$health_timeout")
[ -z "$health_url" ] || args+=(--health-url "$health_url")
# The target release's own deploy.sh switches, restarts, waits and restores $current on failure.
exec bash "$RELEASES/$to/scripts/deploy.sh" "${args[@]}"
