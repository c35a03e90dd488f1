# ops-sla — two commands: `make run` (full-scale build) and `make test` (whole test suite, small data).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

export OPS_SLA_RAW_DIR ?= $(CURDIR)/data/raw
export OPS_SLA_DB ?= $(CURDIR)/data/ops_sla.duckdb
export OPS_SLA_PUBLISH_DIR ?= $(CURDIR)/publish
export DBT_PROFILES_DIR := $(CURDIR)
DBT := $(BIN)/dbt

.PHONY: help venv data build run test lint bench findings clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

venv: $(VENV)/.installed  ## create .venv and install the pinned dependencies

data: venv  ## generate the default data set (300,000 cases) into $OPS_SLA_RAW_DIR
	$(BIN)/python scripts/generate_data.py

build: venv  ## dbt build (models + tests) on the data in $OPS_SLA_RAW_DIR
	mkdir -p "$$(dirname "$$OPS_SLA_DB")"
	$(DBT) build

run: data build  ## generate, build and test the full-scale warehouse

test: venv  ## the whole test suite on a small generated data set
	$(BIN)/ruff check ops_sla scripts pytests
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; exit 1; fi; exit $$rc

findings: venv  ## print the findings table from the warehouse
	$(BIN)/python -m ops_sla.findings

bench: venv  ## benchmarks with printed tables (full scale)
	$(BIN)/python scripts/bench.py

clean:  ## remove generated data, the warehouse and dbt artefacts (keeps .venv)
	rm -rf data target logs publish
