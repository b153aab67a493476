# The verbs a newcomer needs. `make run` starts the platform with demo data; `make test` runs
# every check and test suite, starting the services they need first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: help run build test lint fmt openapi test-services test-services-stop clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

run: ## Build and start the platform with embedded defaults and demo data
	@echo "==> building the web app (web/dist, embedded in the release binary)"
	cd web && npm ci && npm run build
	@echo "==> building pmo (release)"
	$(CARGO) build --release -p pmo
	@echo "==> starting: migrations, demo data, then the server (Ctrl-C stops it)"
	./target/release/pmo serve --dev --seed-demo

build: ## Release build of the binary (web app included)
	cd web && npm ci && npm run build
	$(CARGO) build --release -p pmo

test: ## Start test services, then run format, lint, drift checks and all tests
	@scripts/test.sh

lint: ## Format check and clippy
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

openapi: ## Regenerate the committed openapi.json
	$(CARGO) run -q -p pmo -- openapi --output openapi.json

test-services: ## Start the services tests need (idempotent)
	@scripts/test-services.sh start

test-services-stop: ## Stop the test services
	@scripts/test-services.sh stop

clean: ## Remove build output (keeps ./data)
	$(CARGO) clean
