# Scorecard: `make demo` then `make test` on a fresh machine (only python3 needed).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_INPUTS := $(shell find dbt_project/models dbt_project/macros dbt_project/tests seeds \
	-type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) 2>/dev/null) \
	dbt_project/dbt_project.yml dbt_project/profiles.yml

export SCORECARD_DATA_DIR ?= $(CURDIR)/data

.PHONY: install demo test lint format ui bench soak clean chromium

install: $(INSTALLED) $(MANIFEST) chromium

# Headless Chromium renders the executive dashboard in the tests. Debian's package, never a
# browser download; installed when missing if we are root with apt-get, explained otherwise.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium (headless browser for the report tests)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "chromium is missing: install Debian's 'chromium' package (apt-get install -y" \
	      "chromium, as root); the dashboard browser test needs it"; \
	  fi; }

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

# The dbt manifest is built here, at install time, never at import time (DESIGN.md §9).
$(MANIFEST): $(INSTALLED) $(DBT_INPUTS)
	$(BIN)/scorecard prepare

demo: install
	$(BIN)/scorecard demo

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

ui: install
	$(BIN)/scorecard ui

# Speed and memory per stage against the engine's own limit (tests/benchmarks/bench.py):
# scale 1 by default, `make bench SCALES=1,10` for scale 10 too. Results in data/bench/.
bench: install
	$(BIN)/python tests/benchmarks/bench.py $(if $(SCALES),--scales $(SCALES))

# The long fault-injection runs (more seeds and kill points than `make test`).
soak: install
	$(BIN)/python -m pytest -m soak tests/faults

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
