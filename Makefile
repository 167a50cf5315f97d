# zwatch's two commands for a fresh machine: `make demo` and `make test`.
# Each installs what it needs (Debian's PostgreSQL, Go modules) itself.

SHELL     := /bin/bash
GO        ?= go
BIN       := bin/zwatch
# The demo's own build of zwatch: the real commands plus `zwatch demo`, its
# fake panels and its seeding SQL (build tag demo), which bin/zwatch, the
# binary an operator installs, does not carry.
DEMO_BIN  := bin/zwatch-demo
PG_BINDIR := $(firstword $(wildcard /usr/lib/postgresql/*/bin))

.PHONY: all build test vet fmt demo bench deps postgres cc locale clean

all: build

# -buildvcs=auto: the revision is stamped from a checkout (zwatch version)
# even where GOFLAGS says -buildvcs=false, as some CI images do.
build:
	$(GO) build -buildvcs=auto -o $(BIN) .

# Module downloads go through the Go module proxy; `go mod download` is a
# no-op once the cache has them.
deps:
	$(GO) mod download

# Debian's packages, as root or through sudo.
APT_GET = $$([ "$$(id -u)" = 0 ] || echo sudo) env DEBIAN_FRONTEND=noninteractive apt-get

# pg_virtualenv (Debian's postgresql-common) starts a throwaway cluster,
# exports PG* variables for it, runs the command and drops the cluster.
postgres:
	@if ! command -v pg_virtualenv >/dev/null 2>&1 || [ -z "$(PG_BINDIR)" ]; then \
		echo "installing Debian's postgresql (for a throwaway test cluster)"; \
		$(APT_GET) update -qq && $(APT_GET) install -y -qq postgresql >/dev/null; \
	fi

# A German locale, so that a test hears PostgreSQL say a lock wait in
# another language than English (lc_messages), as a shop's server may.
AS_ROOT = $$([ "$$(id -u)" = 0 ] || echo sudo)
locale:
	@if ! locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\?8'; then \
		echo "generating the de_DE.UTF-8 locale (a test runs PostgreSQL in German)"; \
		command -v locale-gen >/dev/null 2>&1 || { $(APT_GET) update -qq && $(APT_GET) install -y -qq locales >/dev/null; }; \
		grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || \
			echo 'de_DE.UTF-8 UTF-8' | $(AS_ROOT) tee -a /etc/locale.gen >/dev/null; \
		$(AS_ROOT) locale-gen >/dev/null; \
	fi

# go test -race needs cgo, and cgo a C compiler: Go from go.dev's tarball
# on a machine without one turns cgo off, and -race refuses to run. After
# postgres: two apt-gets at once (make -j) fight over apt's lock.
cc: postgres
	@if ! command -v gcc >/dev/null 2>&1; then \
		echo "installing gcc (go test -race needs cgo)"; \
		$(APT_GET) update -qq && $(APT_GET) install -y -qq gcc libc6-dev >/dev/null; \
	fi

# Every throwaway cluster gets its own directory (-t: as root, pg_virtualenv
# would otherwise always create the one system-wide cluster 15/regress, and a
# second one at the same time refuses to start) and a port nobody listens on,
# so that `make test` runs beside a `make demo` or `make bench`, or another
# checkout's `make test`. The port is picked at random below Linux's
# ephemeral range (32768 and up, where the tests' own fake panels and
# outgoing connections take theirs) and probed with bash's /dev/tcp: two
# clusters picking the same free port at the same instant is unlikely, and
# would fail loudly rather than share.
PG_ENV = PGPORT=$$(for p in $$(shuf -i 20000-32000 -n 100); do \
		(exec 3<>/dev/tcp/127.0.0.1/$$p) 2>/dev/null || { echo $$p; break; }; done) \
	pg_virtualenv -t

vet:
	$(GO) vet ./...
	$(GO) vet -tags demo ./cmd ./pkg/store
	$(GO) vet -tags bench ./pkg/bench
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

# The whole suite, against a real PostgreSQL that lives only as long as it.
# With -tags demo, so that the demo's tests run too; TestInstalledBinary
# checks the build without it.
# A quicker loop while working on one package:
#   make test PKGS=./pkg/watch TESTFLAGS='-run TestAnswerOfALapsedClaimIsDropped -v'
# go test -json goes through testdata/testsum (built into bin/), which prints what plain go
# test would (each package's ok or FAIL line, the output of failed tests) and
# ends with one line counting the tests, e.g. "tests: 1687 passed,
# 0 failed"; pipefail keeps a failing go test failing the target.
PKGS      ?= ./...
TESTFLAGS ?=
test: postgres cc locale deps vet
	$(GO) build -o bin/testsum ./testdata/testsum
	$(PG_ENV) bash -c 'set -o pipefail; PGSSLMODE=disable $(GO) test -json -race -count=1 -timeout 30m -tags demo $(TESTFLAGS) $(PKGS) 2>&1 \
		| bin/testsum'

# The main job on a fresh machine, one command: a throwaway PostgreSQL with
# the shop's tables, and zwatch at work on made-up orders against fake znet
# panels it runs itself (see `bin/zwatch-demo demo --help`). pg_virtualenv
# drops the cluster when the demo ends, however it ends.
demo: postgres deps
	$(GO) build -tags demo -o $(DEMO_BIN) .
	$(PG_ENV) sh -c 'export PGSSLMODE=disable; \
		psql -q -v ON_ERROR_STOP=1 -f testdata/host-schema.sql && ./$(DEMO_BIN) demo'

# End-to-end benchmarks of the built binary (issues 5 and 6), on a throwaway
# PostgreSQL set up like a small production server and fake znet panels: a
# table of figures, printed and written to BENCHMARKS.md. fsync stays on, so
# that a commit costs what it costs in production (pg_virtualenv turns it off
# by default). The planner's costs stay PostgreSQL's defaults, as on most
# shops' servers: a plan that only holds with tuned costs is a plan to fix.
# pg_stat_statements is loaded so that the "shop database load" section can
# count what every statement zwatch runs costs the server.
# About twenty minutes on 2 cores; not part of `make test`.
# BENCH_ARGS goes to the harness, e.g. BENCH_ARGS='-only pin' or -quick;
# BENCH_ARGS='-only sched -scenarios pin,slow,fast' runs those scheduler scenarios;
# -sched-seed N draws their orders and history from another sample than seed 11.
BENCH_PGOPTIONS := -o fsync=on -o synchronous_commit=on -o shared_buffers=512MB \
	-o effective_cache_size=4GB -o work_mem=16MB -o maintenance_work_mem=256MB \
	-o max_wal_size=4GB -o shared_preload_libraries=pg_stat_statements
BENCH_ARGS ?=

bench: postgres deps build
	$(PG_ENV) $(BENCH_PGOPTIONS) sh -c 'PGSSLMODE=disable $(GO) test -tags bench -run Bench -count=1 \
		-timeout 120m -v ./pkg/bench $(if $(BENCH_ARGS),-args $(BENCH_ARGS))'

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
