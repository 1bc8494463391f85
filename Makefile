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

.PHONY: install demo test lint format ui bench clean

install: $(INSTALLED) $(MANIFEST)

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

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
