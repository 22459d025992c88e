# Leadbell: `make run` to see it work, `make test` to check it.
.DEFAULT_GOAL := help

GO      ?= go
BIN     := build/bin/leadbell
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# The window (Wails v2) needs cgo, GTK 3 and WebKitGTK 4.1 on Linux.
TAGS    := desktop,production,webkit2_41

.PHONY: help deps frontend build run demo install test bench soak fuzz lint

help: ## show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The UI is built into frontend/dist, which is committed so that a plain
# `go build` embeds a working UI; these targets rebuild it from source.
FRONTEND_SRC := $(shell find frontend/src -type f) frontend/index.html frontend/vite.config.ts frontend/svelte.config.js frontend/tsconfig.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SRC)
	cd frontend && npm run build

frontend: frontend/dist/index.html ## build the UI into frontend/dist

deps: ## install the system packages the window needs (apt; sudo when not root)
	@build/deps.sh

build: frontend ## build build/bin/leadbell
	$(GO) build -tags $(TAGS) -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

run: deps build ## build and start Leadbell (the window; without a display, the browser UI)
	$(BIN)

demo: build ## start Leadbell against its built-in SmartLead simulator
	$(BIN) demo

PREFIX ?= $(HOME)/.local
install: build ## install the binary, icon and menu entry under PREFIX (default ~/.local)
	install -Dm755 $(BIN) $(PREFIX)/bin/leadbell
	install -Dm644 build/appicon.png $(PREFIX)/share/icons/hicolor/512x512/apps/leadbell.png
	install -Dm644 build/linux/leadbell.desktop $(PREFIX)/share/applications/leadbell.desktop
	@sed -i 's|^Exec=.*|Exec=$(PREFIX)/bin/leadbell|' $(PREFIX)/share/applications/leadbell.desktop
	-@update-desktop-database $(PREFIX)/share/applications 2>/dev/null
	@echo "Leadbell is in your applications menu (binary: $(PREFIX)/bin/leadbell)."

test: frontend ## run every test: units, store, receiver, end to end, browser
	$(GO) test -count=1 -timeout 20m ./...

bench: ## print the ingest, query, disk and memory table
	$(GO) run ./bench

SOAK_DURATION ?= 10m
soak: ## SOAK_DURATION (10m) of genuine and hostile traffic, kill -9 midway: nothing lost, no growth
	SOAK_DURATION=$(SOAK_DURATION) $(GO) run ./soak

FUZZTIME ?= 30s
fuzz: ## run each fuzz target for FUZZTIME (default 30s); crashers land in testdata/fuzz
	$(GO) test ./app/smartlead -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./app/smartlead -run '^$$' -fuzz '^FuzzVerifySignature$$' -fuzztime $(FUZZTIME)

lint: ## go vet, gofmt and the go.mod tidy check
	$(GO) vet ./...
	$(GO) vet -tags $(TAGS) ./app/ .
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
