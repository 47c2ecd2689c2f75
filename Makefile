# Registrar: stateless OAuth 2.0 / OpenID Connect Dynamic Client Registration.
# `make` lists the targets.

SHELL        := /bin/bash
GO           ?= go
BIN          := bin/registrar
KEYS_DIR     ?= keys
TRUST_FILE   ?= testdata/demo/trusted-issuers.json
FUZZTIME     ?= 60s
DURATION     ?= 20s
CONNECTIONS  ?= 16
PKGS         := ./...
# The manifest validation module (docs/kubernetes, docs/serverless): a Go
# module of its own, so that k8s.io/api stays out of the product's go.mod.
VALIDATE     := deploy/validate
# The load benchmark harness (make bench-load, make bench-compare): a Go
# module of its own, tooling rather than product. It works in the
# repository root (its -root flag defaults to ..), so paths given to it are
# relative to the root.
BENCH        := bench
# The MCP Go SDK check (make mcp-test): a Go module of its own, so that the
# SDK stays out of the product's go.mod.
MCPGOSDK     := e2e/mcp/gosdk
# The OP adapters (op/zitadel, op/fosite): a Go module each, so that their OP
# libraries stay out of the product's go.mod. Their tests run the registrar
# binary, an example OP and openid-client (npm ci into testdata/op/rp).
OPS          := op/zitadel op/fosite
# Stamped into the binary (registrar version, registrar_build_info): the
# VERSION file, the commit and its date, so that a build is reproducible.
VERSION      ?= $(shell cat VERSION 2>/dev/null || echo unknown)
COMMIT       ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BUILD_DATE   ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
# staticcheck, pinned; `go run` fetches it from the module proxy once.
STATICCHECK  ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
LDFLAGS      := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)

export PATH := $(PATH):/usr/local/go/bin

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets.
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z_-]+:.*?## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/registrar (static, trimmed, version stamped).
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/registrar

.PHONY: keys
keys: build ## Generate development keys into keys/ unless some exist.
	@if ls $(KEYS_DIR)/signing-*.jwk >/dev/null 2>&1; then \
		echo "keys: using the existing keys in $(KEYS_DIR)/"; \
	else \
		$(BIN) keygen -dir $(KEYS_DIR); \
	fi

.PHONY: run
run: keys ## Run on http://localhost:8080 with development keys and the demo federation.
	REGISTRAR_KEYS_DIR=$${REGISTRAR_KEYS_DIR:-$(KEYS_DIR)} \
	REGISTRAR_TRUSTED_ISSUERS_FILE=$${REGISTRAR_TRUSTED_ISSUERS_FILE:-$(TRUST_FILE)} \
	REGISTRAR_LOG_FORMAT=$${REGISTRAR_LOG_FORMAT:-console} \
	$(BIN) serve

.PHONY: test
test: vet ## Run every test with the race detector, manifest validation, the bench harness's unit tests and the MCP Go SDK check included (what CI runs).
	$(GO) test -race -count=1 $(PKGS)
	cd $(VALIDATE) && $(GO) test -race -count=1 ./...
	cd $(BENCH) && $(GO) test -race -count=1 ./...
	$(MAKE) api-test
	$(MAKE) mcp-test
	$(MAKE) op-test
	$(MAKE) js-test

.PHONY: js-test
js-test: ## The JavaScript verifier (js/verifier): npm ci, its tests (every vector of testdata/vectors), npm pack into a temporary directory. Fails without Node.js 20+ when CI is set.
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then \
		if [ -n "$$CI" ]; then echo "js-test: CI is set and Node.js 20+ with npm is missing"; exit 1; fi; \
		echo "js-test: skipped, Node.js 20+ with npm is missing"; exit 0; \
	fi; \
	set -e; cd js/verifier; \
	npm ci --no-audit --no-fund; \
	npm test; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	npm pack --pack-destination "$$tmp" >/dev/null; \
	files=$$(tar -tzf "$$tmp"/*.tgz); \
	for f in package.json index.js index.d.ts oidc-provider.js oidc-provider.d.ts README.md src/verifier.js; do \
		grep -qx "package/$$f" <<<"$$files" || { echo "js-test: the packed tarball lacks $$f"; exit 1; }; \
	done; \
	echo "js-test: packed $$(ls "$$tmp")"

.PHONY: test-manifests
test-manifests: ## Validate docs/kubernetes and docs/serverless strictly against the Kubernetes API types.
	cd $(VALIDATE) && $(GO) test -race -count=1 ./...

.PHONY: api-test
api-test: ## Check api/openapi.yaml against the real server (its own module, api/).
	cd api && $(GO) test -race -count=1 ./...

.PHONY: mcp-test
mcp-test: ## Register through the MCP Go SDK's own API against the real binary (its own module, e2e/mcp/gosdk).
	cd $(MCPGOSDK) && $(GO) test -race -count=1 ./...

.PHONY: op-test
op-test: ## Registrar's clients at real OPs: the adapter modules' tests (op/zitadel, ...), each running the binary, an OP and openid-client.
	@for m in $(OPS); do echo "cd $$m && $(GO) test -race -count=1 ./..."; (cd $$m && $(GO) test -race -count=1 ./...) || exit 1; done

.PHONY: vet
vet: ## go vet and a gofmt check.
	$(GO) vet $(PKGS)
	cd $(VALIDATE) && $(GO) vet ./...
	cd api && $(GO) vet ./...
	cd $(BENCH) && $(GO) vet ./...
	cd $(MCPGOSDK) && $(GO) vet ./...
	@for m in $(OPS); do (cd $$m && $(GO) vet ./...) || exit 1; done
	@out=$$(gofmt -l cmd internal pkg e2e op $(VALIDATE) api $(BENCH)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: lint
lint: vet ## Static checks: vet, gofmt and staticcheck (STATICCHECK pinned), in every module.
	$(STATICCHECK) ./...
	cd $(VALIDATE) && $(STATICCHECK) ./...
	cd api && $(STATICCHECK) ./...
	cd $(BENCH) && $(STATICCHECK) ./...
	cd $(MCPGOSDK) && $(STATICCHECK) ./...
	@for m in $(OPS); do (cd $$m && $(STATICCHECK) ./...) || exit 1; done

.PHONY: fmt
fmt: ## Format the code.
	gofmt -w cmd internal pkg e2e op $(VALIDATE) api $(BENCH)

.PHONY: tidy
tidy: ## Tidy go.mod and go.sum (the product's, the validation module's, api/'s, bench/'s, the MCP Go SDK check's and the OP adapters').
	$(GO) mod tidy
	cd $(VALIDATE) && $(GO) mod tidy
	cd api && $(GO) mod tidy
	cd $(BENCH) && $(GO) mod tidy
	cd $(MCPGOSDK) && $(GO) mod tidy
	@for m in $(OPS); do (cd $$m && $(GO) mod tidy) || exit 1; done

.PHONY: verify
verify: ## Verify module checksums.
	$(GO) mod verify
	cd $(VALIDATE) && $(GO) mod verify
	cd api && $(GO) mod verify
	cd $(BENCH) && $(GO) mod verify
	cd $(MCPGOSDK) && $(GO) mod verify
	@for m in $(OPS); do (cd $$m && $(GO) mod verify) || exit 1; done

.PHONY: cover
cover: ## Test with coverage; writes coverage.out and prints the total.
	$(GO) test -race -count=1 -coverprofile=coverage.out $(PKGS)
	$(GO) tool cover -func=coverage.out | tail -n 1

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (default 60s); a bare fuzz-deadline race (golang/go#75804) is retried up to twice.
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target"; \
			scripts/fuzz-one.sh $(GO) $$pkg $$target $(FUZZTIME); \
		done; \
	done

.PHONY: bench
bench: ## Go benchmarks of registration, minting and verification.
	$(GO) test -run='^$$' -bench=. -benchmem ./internal/register/ ./internal/mint/ ./internal/statement/

.PHONY: bench-load
bench-load: build ## Load-test bin/registrar with wrk on 127.0.0.1 (DURATION, CONNECTIONS); updates docs/benchmarks.md.
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" -eq 0 ]; then sudo=; \
		elif command -v sudo >/dev/null; then sudo=sudo; \
		else echo "bench-load: wrk is missing; install it (apt-get install -y wrk) as root"; exit 1; fi; \
		$$sudo apt-get update && $$sudo apt-get install -y wrk; }
	cd $(BENCH) && $(GO) run . -bin $(BIN) -duration $(DURATION) -connections $(CONNECTIONS) -out docs/benchmarks.md

.PHONY: bench-compare
bench-compare: build ## Registrar vs node-oidc-provider (npm ci into testdata/bench/peer), cold start, crypto floor; updates docs/benchmarks.md. Not for CI.
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" -eq 0 ]; then sudo=; \
		elif command -v sudo >/dev/null; then sudo=sudo; \
		else echo "bench-compare: wrk is missing; install it (apt-get install -y wrk) as root"; exit 1; fi; \
		$$sudo apt-get update && $$sudo apt-get install -y wrk; }
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "bench-compare: needs Node.js 20.19+ and npm for the peer"; exit 1; }
	cd $(BENCH) && $(GO) run . -compare -bin $(BIN) -duration $(DURATION) -connections $(CONNECTIONS) -out docs/benchmarks.md

.PHONY: pin-images
pin-images: ## Pin the Dockerfile's base images to the digests their tags name now (needs Docker buildx and the registries).
	@set -e; for ref in $$(sed -nE 's/^FROM ([^ @]+)(@sha256:[0-9a-f]+)?( AS .*)?$$/\1/p' Dockerfile); do \
		digest=$$(docker buildx imagetools inspect "$$ref" --format '{{json .Manifest}}' | sed -nE 's/.*"digest":"(sha256:[0-9a-f]{64})".*/\1/p'); \
		[ -n "$$digest" ] || { echo "pin-images: no digest for $$ref"; exit 1; }; \
		sed -i -E "s#^FROM $$ref(@sha256:[0-9a-f]+)?( AS |$$)#FROM $$ref@$$digest\2#" Dockerfile; \
		echo "$$ref -> $$digest"; \
	done

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) --build-arg BUILD_DATE=$(BUILD_DATE) -t registrar:$(VERSION) .
