# demo-gen — `make help` lists the targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
CONFIG ?= demo.example.yaml
ORG_DB ?= runs/local-org.sqlite

.DEFAULT_GOAL := help
.PHONY: help install demo test lint format typecheck check bench chaos long clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## create .venv and install demo-gen with its pinned dev tools

demo: install ## set up, seed the local org if needed, run the example config against it
	@test -f $(ORG_DB) || $(VENV)/bin/demo-gen org init --db $(ORG_DB)
	$(VENV)/bin/demo-gen run -c $(CONFIG)

test: install ## run the whole test suite (offline; real sockets on loopback), one process per core
	$(PY) -m pytest -q -n auto

lint: install ## ruff check + format check
	$(PY) -m ruff check src tests bench
	$(PY) -m ruff format --check src tests bench

format: install ## apply ruff's formatting and safe fixes
	$(PY) -m ruff check --fix src tests bench
	$(PY) -m ruff format src tests bench

typecheck: install ## mypy --strict on src
	$(PY) -m mypy

check: lint typecheck test ## everything CI runs

bench: install ## the benchmarks in bench/ (ratios measured side by side)
	$(PY) bench/bench_run.py
	$(PY) bench/bench_llm.py
	$(PY) bench/bench_llm_run.py
	$(PY) bench/bench_story.py

chaos: install ## the long chaos suite: every placed kill, >= 20 random kill -9s, every fault (minutes)
	$(PY) -m pytest -q -m "" tests/test_chaos.py

long: install ## the slow variants deselected by default (pytest -m long: the 90-day refresh series, every update kill point, the CalDAV kill tests on Xandikos)
	$(PY) -m pytest -q -m long

clean: ## remove the virtualenv and run outputs (keeps runs/.gitkeep)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	find runs -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
