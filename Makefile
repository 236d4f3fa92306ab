# Amity developer entry points. `make run` and `make test` work from a fresh clone
# with only Python 3.12+ installed: they build .venv from the lock file first.

SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export DJANGO_SETTINGS_MODULE := amity.settings

.PHONY: help setup run worker test lint fmt typecheck pytest pytest-sqlite pytest-postgres migrate demo bench clean messages bench-postgres soak load

help:
	@echo "make run    set up, migrate, load demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   set up, then lint, types and the whole suite (SQLite, then PostgreSQL)"
	@echo "make worker run background jobs and outbox delivery (next to make run)"
	@echo "make lint | fmt | typecheck | migrate | demo | clean"
	@echo "make bench  generate BENCH_CONTACTS (default 1,000,000) and time every scenario (SQLite);"
	@echo "            make bench-postgres the same on PostgreSQL; make soak, make load DURATION=600"

# The venv is rebuilt when the lock file or project metadata change.
$(VENV)/.synced: uv.lock pyproject.toml
	@python_bin="$$(sh .ci/find-python)" || exit 1; \
	if [ ! -x "$(PY)" ] || ! "$(PY)" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		rm -rf $(VENV); echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV) || exit 1; \
	fi
	@$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(UV) sync --locked --inexact --quiet
	@touch $@

setup: $(VENV)/.synced

migrate: setup
	@$(VENV)/bin/amity migrate --no-input

demo: migrate
	@$(VENV)/bin/amity demo

run: demo
	@$(VENV)/bin/amity serve --port $(PORT)

worker: migrate
	@$(VENV)/bin/amity worker

lint: setup
	@$(VENV)/bin/ruff check src tests
	@$(VENV)/bin/ruff format --check src tests

fmt: setup
	@$(VENV)/bin/ruff format src tests
	@$(VENV)/bin/ruff check --fix src tests

typecheck: setup
	@$(VENV)/bin/mypy src

# The suite runs on every core (pytest-xdist; each worker gets its own test database);
# PYTEST_WORKERS=0 runs it in one process, e.g. to debug.
PYTEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile

pytest-sqlite: setup
	@echo "== tests on SQLite"
	@env -u DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

# PostgreSQL: AMITY_TEST_DATABASE_URL, else a server on 127.0.0.1:5432 if one answers.
# AMITY_REQUIRE_POSTGRES=1 (set by CI) turns "no server" into a failure.
pytest-postgres: setup
	@url="$${AMITY_TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(PY) -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 1)' 2>/dev/null; then \
		url="postgresql://$${PGUSER:-postgres}@127.0.0.1:5432/postgres"; \
	fi; \
	if [ -z "$$url" ]; then \
		if [ -n "$${AMITY_REQUIRE_POSTGRES:-}" ]; then echo "PostgreSQL is required but none answers on 127.0.0.1:5432"; exit 1; fi; \
		echo "== skipped the PostgreSQL run: set AMITY_TEST_DATABASE_URL or start a server on 127.0.0.1:5432"; \
	else \
		echo "== tests on PostgreSQL ($${url%%@*}@…)"; \
		DATABASE_URL="$$url" $(PYTEST) $(PYTEST_ARGS); \
	fi

test: lint typecheck pytest-sqlite pytest-postgres

# Regenerate the .po catalogs from the marked strings, then compile the .mo files (both are
# committed). Only this needs GNU gettext (apt-get install gettext); running Amity does not.
messages: setup
	@cd src/amity && ../../$(VENV)/bin/django-admin makemessages -l nb -l ru -l cy -l zh_Hans --no-location --ignore "migrations/*"
	@cd src/amity && ../../$(VENV)/bin/django-admin compilemessages

# Benchmark (docs/performance.md): a database of its own per size and seed, reused when complete.
BENCH_CONTACTS ?= 1000000
BENCH_SEED ?= 1
BENCH_ARGS ?=
BENCH_PG_URL ?= postgresql://$${PGUSER:-postgres}@127.0.0.1:5432/amity_bench_$(BENCH_CONTACTS)_$(BENCH_SEED)
DURATION ?= 600

bench: setup
	@mkdir -p var/bench
	@env -u DATABASE_URL AMITY_SQLITE_PATH=var/bench/bench-$(BENCH_CONTACTS)-$(BENCH_SEED).sqlite3 \
		sh -c '$(VENV)/bin/amity migrate --no-input -v0 && \
		$(VENV)/bin/amity bench --contacts $(BENCH_CONTACTS) --seed $(BENCH_SEED) $(BENCH_ARGS)'

bench-postgres: setup
	@$(PY) -m amity.bench.pgdb "$(BENCH_PG_URL)"
	@DATABASE_URL="$(BENCH_PG_URL)" sh -c '$(VENV)/bin/amity migrate --no-input -v0 && \
		$(VENV)/bin/amity bench --contacts $(BENCH_CONTACTS) --seed $(BENCH_SEED) $(BENCH_ARGS)'

# R9: a bounded load test against `amity serve` on PostgreSQL, on the bench data set
# (BENCH_CONTACTS, default 100,000 here), for DURATION seconds.
load: BENCH_CONTACTS = 100000
load: setup
	@$(PY) -m amity.bench.pgdb "$(BENCH_PG_URL)"
	@DATABASE_URL="$(BENCH_PG_URL)" sh -c '$(VENV)/bin/amity migrate --no-input -v0 && \
		$(VENV)/bin/amity bench --contacts $(BENCH_CONTACTS) --seed $(BENCH_SEED) --generate-only && \
		$(VENV)/bin/amity bench_load --duration $(DURATION) $(LOAD_ARGS)'

# The full-count reliability tests (TESTPLAN R2, R4, R5, R6), marker `soak`; not part of make test.
soak: setup
	@env -u DATABASE_URL $(PYTEST) -m soak $(PYTEST_ARGS) tests/reliability
	@$(MAKE) --no-print-directory pytest-postgres PYTEST_ARGS="-m soak $(PYTEST_ARGS) tests/reliability"

clean:
	rm -rf $(VENV) var/static .mypy_cache .ruff_cache
