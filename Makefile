# Hexa's verbs. `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
HEXA := $(VENV)/bin/hexa
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
# .python-version selects 3.12 under pyenv; uv never downloads an interpreter here.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

help:
	@echo "make run     set up, migrate, load the demo on first run, serve at http://127.0.0.1:8000"
	@echo "make test    set up and run all tests on SQLite, then on PostgreSQL if one answers"
	@echo "make lint    ruff check + format check, mypy on hexa/, and migrations in step with the models"
	@echo "make bench   quick log, reports and exports at 10,000 clients / 200,000 dedications"
	@echo "make bench-scale   every page and endpoint at 100,000 clients / 10 million dedications"
	@echo "make screenshots   PNGs of the main pages under docs/screenshots/"

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(VENV)/bin/pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen --compile-bytecode --python $(VENV)/bin/python
	@touch $@

# Front-end packages from the npm registry (package-lock.json), copied next to the app's own
# static files so that Hexa serves them itself.
VENDOR := hexa/web/static/vendor
$(VENDOR)/.copied: package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico.min.css
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map $(VENDOR)/
	cp node_modules/cally/dist/cally.js $(VENDOR)/cally.js
	cp node_modules/@github/combobox-nav/dist/index.js $(VENDOR)/combobox-nav.js
	@touch $@

# Bytecode is compiled here (packages above, Hexa's own files below, only what changed): where
# PYTHONDONTWRITEBYTECODE is set, every `hexa` process would otherwise compile Django from
# source again (3.4 s instead of 1 s for `hexa log --help`).
install: $(VENV)/.synced $(VENDOR)/.copied
	@$(VENV)/bin/python -m compileall -q hexa

run: install
	$(HEXA) migrate --noinput -v0
	$(HEXA) demo --quiet-if-loaded
	@echo "Sign in as demo / demo.  API token: $(HEXA) token create demo"
	$(HEXA) serve

test: install
	scripts/test

lint: install
	$(VENV)/bin/ruff check hexa tests bench
	$(VENV)/bin/ruff format --check hexa tests bench
	$(VENV)/bin/mypy
	$(HEXA) makemigrations --check --dry-run

bench: install
	$(VENV)/bin/python -m bench

# Issue 11's size (100,000 clients; 10 million dedications on PostgreSQL, 1 million on SQLite):
# built once into hexa_scale / bench-results/scale-sqlite (long), kept for later runs.
bench-scale: install
	$(VENV)/bin/python -m bench.scale $(ARGS)

# After changing texts: extract them into hexa/locale/es/LC_MESSAGES/django.po, translate the
# new entries there, then run it again to compile (tests check the catalog is complete).
messages: install
	cd hexa && ../$(VENV)/bin/django-admin makemessages -l es --no-location
	cd hexa && ../$(VENV)/bin/django-admin compilemessages

screenshots: install
	$(VENV)/bin/python scripts/screenshots.py

ci: lint test

.PHONY: help install run test lint bench bench-scale screenshots messages ci
