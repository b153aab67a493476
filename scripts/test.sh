#!/usr/bin/env bash
# `make test`: every check and test suite, in order of cost. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "checking the toolchain"
command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs)" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy

step "starting test services"
scripts/test-services.sh start
# shellcheck disable=SC1091
source .test-services/env
scripts/test-s3.sh start; source .test-services/s3.env  # S3 (Garage) for the attachment tests
scripts/test-platform.sh start; source .test-services/platform.env  # Redis + SMTP sink (cache, mail tests)

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "OpenAPI drift check (openapi.json)"
cargo run -q --locked -p pmo -- openapi --check openapi.json

step "deployment checks (terraform, checkov, hadolint, compose, systemd, deploy scripts)"
scripts/check-deploy.sh

step "tests (real PostgreSQL, one database per test)"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi

step "web app: lint, types, unit and browser tests (scripts/test-web.sh)"
scripts/test-web.sh
