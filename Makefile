# Mekong — the two commands are `make run` and `make test`; the rest are helpers they use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo migrate test lint typecheck pytest messages clean bench-dossiers bench-ioc bench-faceid

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=$${DEBUG:-1} $(BIN)/mekong migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/mekong load_demo

# The public address follows HOST and PORT: QR codes and the sandbox payment gateway lead back to it.
run: demo
	DEBUG=$${DEBUG:-1} MEKONG_PUBLIC_URL=$${MEKONG_PUBLIC_URL:-http://$(HOST):$(PORT)} $(BIN)/mekong runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	MEKONG_ALLOW_DEV_SECRET=1 $(BIN)/mypy

pytest: install
	MEKONG_ALLOW_DEV_SECRET=1 $(BIN)/pytest -n auto $(PYTEST_ARGS)

test: lint typecheck pytest

# Compile translations after editing src/mekong/locale/*/LC_MESSAGES/django.po (msgfmt not needed).
messages: install
	$(BIN)/python -m mekong.core.i18n compile

# Benchmarks (bench/): each prints a JSON object as its last line. bench-dossiers needs PostgreSQL
# (BENCH_DATABASE_URL).
$(VENV)/.bench-stamp: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	@touch $@

bench-dossiers: $(VENV)/.bench-stamp
	$(BIN)/python bench/dossiers.py $(BENCH_ARGS)

# IOC: 1,000,000 dossiers by default (BENCH_ARGS="--dossiers 20000" while developing).
bench-ioc: $(VENV)/.bench-stamp
	$(BIN)/python bench/ioc.py $(BENCH_ARGS)

# Face lookup accuracy (../shared/faces), latency, and the 1,000,000-embedding index (no database needed).
bench-faceid: $(VENV)/.bench-stamp
	$(BIN)/python bench/faceid.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
