#!/usr/bin/env bash
# Build a versioned release tarball of pmo and upload it to the code bucket.
#
#   release.sh --bucket <code-bucket>                 build, package, upload, move releases/latest
#   release.sh --no-upload                            only build deploy/dist/pmo-<v>-linux-<arch>.tar.gz
#   release.sh --bucket <code-bucket> --promote 1.3.2 only point releases/latest at 1.3.2
#
# Layout in the bucket (read by the instances' user data and by deploy.sh):
#   releases/<version>/pmo-<version>-linux-<arch>.tar.gz
#   releases/<version>/pmo-<version>-linux-<arch>.tar.gz.sha256
#   releases/latest                     one line: the version new instances install
# Uploaded versions are immutable: uploading the same version twice is refused.
set -euo pipefail

PROG=release.sh
REPO=$(cd "$(dirname "$0")/../.." && pwd)

version=""
bucket="${PMO_CODE_BUCKET:-}"
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
prefix=releases
binary=""
arch=""
out="$REPO/deploy/dist"
upload=true
move_latest=true
promote=""
force=false

usage() {
  cat <<'EOF'
Usage: release.sh [options]

Builds pmo (cargo build --release --locked -p pmo), packages it with the systemd unit, the
example configuration and the deploy scripts into pmo-<version>-linux-<arch>.tar.gz plus a
SHA-256 file, uploads both to s3://<bucket>/releases/<version>/ and points releases/latest at
the new version.

Options:
  --version V      release version (default: the binary's version plus the git commit, e.g. 0.1.0-g1a2b3c4)
  --bucket B       code bucket (default: $PMO_CODE_BUCKET, else `terraform output -raw code_bucket`
                   in deploy/terraform when that works)
  --region R       AWS region (default: $AWS_REGION, then the AWS CLI configuration)
  --prefix P       key prefix in the bucket (default: releases)
  --binary PATH    package this pmo binary instead of building one
  --arch ARCH      architecture in the file name: x86_64 or aarch64 (default: this machine's)
  --out DIR        where the tarball is written (default: deploy/dist)
  --no-upload      build the tarball only
  --no-latest      upload without moving releases/latest (deploy it explicitly with --version)
  --promote V      only point releases/latest at the already uploaded version V (after a rollback)
  --force          overwrite a version that was already uploaded
  -h, --help       show this help

Needs: cargo (unless --binary), tar, gzip, sha256sum, and the AWS CLI with the deployer policy
(terraform output deployer_policy_arn) for uploads.
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
    --binary) need_value "$@"; binary="$2"; shift 2 ;;
    --arch) need_value "$@"; arch="$2"; shift 2 ;;
    --out) need_value "$@"; out="$2"; shift 2 ;;
    --no-upload) upload=false; shift ;;
    --no-latest) move_latest=false; shift ;;
    --promote) need_value "$@"; promote="$2"; shift 2 ;;
    --force) force=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

valid_version() { [[ "$1" =~ ^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$ ]]; }

aws_cli() {
  if [ -n "$region" ]; then aws --region "$region" "$@"; else aws "$@"; fi
}

find_bucket() {
  [ -n "$bucket" ] && return 0
  if command -v terraform >/dev/null && [ -d "$REPO/deploy/terraform/.terraform" ]; then
    bucket=$(terraform -chdir="$REPO/deploy/terraform" output -raw code_bucket 2>/dev/null || true)
  fi
  [ -n "$bucket" ] || die "no code bucket: pass --bucket, set PMO_CODE_BUCKET, or run from an initialised deploy/terraform"
  log "code bucket: $bucket (from terraform output)"
}

set_latest() {
  printf '%s\n' "$1" | aws_cli s3 cp --only-show-errors --content-type text/plain - "s3://$bucket/$prefix/latest" ||
    die "cannot write s3://$bucket/$prefix/latest"
  log "s3://$bucket/$prefix/latest -> $1 (new instances install it at boot)"
}

if [ -n "$promote" ]; then
  valid_version "$promote" || die "invalid version '$promote'"
  command -v aws >/dev/null || die "the AWS CLI is required"
  find_bucket
  aws_cli s3 ls "s3://$bucket/$prefix/$promote/" >/dev/null 2>&1 || die "version $promote is not in s3://$bucket/$prefix/"
  set_latest "$promote"
  exit 0
fi

for tool in tar gzip sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

# --- build ----------------------------------------------------------------------------------------
if [ -z "$binary" ]; then
  command -v cargo >/dev/null || die "cargo is required to build pmo (or pass --binary)"
  log "building pmo: cargo build --release --locked -p pmo"
  (cd "$REPO" && cargo build --release --locked -p pmo)
  binary="$REPO/target/release/pmo"
fi
[ -x "$binary" ] || die "not an executable: $binary"

if [ -z "$arch" ]; then
  arch=$(uname -m)
fi
case "$arch" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) die "unsupported architecture '$arch' (x86_64 or aarch64)" ;;
esac

if [ -z "$version" ]; then
  version=$("$binary" --version 2>/dev/null | awk '{print $2}')
  [ -n "$version" ] || die "cannot read the version of $binary; pass --version"
  if sha=$(git -C "$REPO" rev-parse --short=8 HEAD 2>/dev/null); then
    version="$version-g$sha"
    if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
      version="$version.dirty"
    fi
  fi
fi
valid_version "$version" || die "invalid version '$version' (letters, digits, '.', '_', '-')"

# --- package --------------------------------------------------------------------------------------
name="pmo-$version-linux-$arch.tar.gz"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
top="$stage/pmo-$version"
install -d "$top/bin" "$top/systemd" "$top/scripts"
install -m 0755 "$binary" "$top/bin/pmo"
install -m 0644 "$REPO/deploy/systemd/pmo.service" "$REPO/deploy/systemd/pmo.env.example" "$top/systemd/"
install -m 0644 "$REPO/pmo.example.toml" "$top/pmo.example.toml"
install -m 0755 "$REPO/deploy/scripts/deploy.sh" "$REPO/deploy/scripts/rollback.sh" "$top/scripts/"
printf '%s\n' "$version" >"$top/VERSION"
cat >"$top/README.md" <<EOF
# pmo $version ($arch)

Install or upgrade on a host (as root): \`scripts/deploy.sh --tarball $name\`
(the tarball's .sha256 file must be next to it). Roll back: \`pmo-rollback\`.
Configuration: /etc/pmo/pmo.env (see systemd/pmo.env.example and pmo.example.toml).
Operations guide: docs/OPERATIONS.md in the source repository.
EOF

mkdir -p "$out"
# Reproducible archive: sorted names, root ownership, fixed timestamps, no gzip name/time.
mtime=$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -C "$stage" -cf - "pmo-$version" |
  gzip -n -9 >"$out/$name"
(cd "$out" && sha256sum "$name" >"$name.sha256")
log "built $out/$name"
log "sha256 $(cut -d' ' -f1 "$out/$name.sha256")"

if [ "$upload" != true ]; then
  log "not uploading (--no-upload)"
  exit 0
fi

# --- upload ---------------------------------------------------------------------------------------
command -v aws >/dev/null || die "the AWS CLI is required to upload (or use --no-upload)"
find_bucket
key="$prefix/$version/$name"
if aws_cli s3api head-object --bucket "$bucket" --key "$key" >/dev/null 2>&1 && [ "$force" != true ]; then
  die "s3://$bucket/$key already exists; releases are immutable (choose a new --version, or --force)"
fi
log "uploading to s3://$bucket/$prefix/$version/"
aws_cli s3 cp --only-show-errors "$out/$name" "s3://$bucket/$key"
aws_cli s3 cp --only-show-errors --content-type text/plain "$out/$name.sha256" "s3://$bucket/$key.sha256"

if [ "$move_latest" = true ]; then
  set_latest "$version"
fi
log "deploy it:  deploy/scripts/deploy.sh --ssm --bucket $bucket --target tag:pmo-deployment=<project>-<environment> --version $version"
