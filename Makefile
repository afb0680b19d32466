# The cable reading room. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SHARED ?= ../shared
CABLES ?= $(SHARED)/corpus
VENV ?= .venv
PY := $(VENV)/bin/python
# `make run` is the laptop reading room: debug on (static files from the source tree).
run: export DJANGO_DEBUG ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python 3.12 or newer: take the first suitable interpreter on PATH or under pyenv.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 \
	$$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	  && { command -v $$c; break; }; done)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "No Python 3.12+ found (on PATH or under pyenv). Install one and retry." >&2; exit 1; }
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

# axe-core for the browser tests (package-lock.json pins it): `npm ci` when the lock is newer.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: apt-get install -y npm (the browser tests need axe-core)" >&2; exit 1; }
	npm ci --silent
	touch $@

.PHONY: print-python
print-python: ## the Python 3.12+ interpreter the set-up uses
	@echo $(PYTHON)

.PHONY: install
install: $(VENV)/.installed node_modules/.package-lock.json ## create the virtualenv with pinned dependencies, and node_modules for the browser tests

.PHONY: run
run: install ## migrate, load $(CABLES) and serve the reading room at http://$(HOST):$(PORT)
	$(PY) manage.py migrate --noinput
	@if [ -e "$(CABLES)" ]; then $(PY) manage.py ingest_cables "$(CABLES)" || true; \
	else echo "No corpus at $(CABLES): the reading room starts empty. Load cables with: $(PY) manage.py ingest_cables PATH"; fi
	$(PY) manage.py runserver $(HOST):$(PORT)

.PHONY: serve
serve: install ## production mode without containers: gunicorn, DEBUG off, WhiteNoise, PostgreSQL (DATABASE_URL)
	PY=$(PY) scripts/serve

.PHONY: test
test: install ## run the whole test suite (DATABASE_URL selects PostgreSQL)
	DJANGO_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

.PHONY: bench
bench: install ## the everyday benchmarks, 20,000 generated cables: parser, ingest (both databases), pages under load
	$(PY) bench/parse.py --count 20000
	$(PY) bench/ingest.py --cables 20000
	$(PY) bench/pages.py --cables 20000 --duration 10

# bench-full: the pages step skips the manifest check because ingest.py just checked the load's
# counts (and audited any difference from the generator's manifest).
.PHONY: bench-full
bench-full: install ## the same at full scale, 251,287 cables (about 30 minutes; figures go in bench/RESULTS.md)
	$(PY) bench/ingest.py --cables 251287
	psql "$${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}/readingroom_ingestbench_251287" -qc "VACUUM ANALYZE"
	$(PY) bench/pages.py --cables 251287 --database readingroom_ingestbench_251287 --no-manifest-check --duration 10

.PHONY: lint
lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: format
format: install ## apply ruff formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
