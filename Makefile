# ops-sla — two commands: `make run` (full-scale build) and `make test` (whole test suite, small data).
SHELL := /bin/bash
# the interpreter .venv is built on: the distribution's CPython when it is 3.11+ (scripts/venv_python)
PYTHON ?= $(shell sh scripts/venv_python)
VENV := .venv
BIN := $(VENV)/bin

export OPS_SLA_RAW_DIR ?= $(CURDIR)/data/raw
export OPS_SLA_DB ?= $(CURDIR)/data/ops_sla.duckdb
export OPS_SLA_PUBLISH_DIR ?= $(CURDIR)/publish
export DBT_PROFILES_DIR := $(CURDIR)
# pytest workers: the suite is mostly dbt subprocesses waiting on one core each. A module's
# tests stay on one worker (--dist loadscope), so its module-scoped builds run once, not
# once per worker: ~8 min instead of ~9-10 on 2 cores
TEST_WORKERS ?= 2
# dbt itself, with Python's garbage collector set for one short command (ops_sla/dbt_cli.py)
DBT := $(BIN)/python -m ops_sla.dbt_cli

.PHONY: help venv data build publish docs run daily test lint bench findings readme-images clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | while IFS= read -r line; do \
	    printf '  %-15s %s\n' "$${line%%:*}" "$${line#*## }"; \
	done

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

venv: $(VENV)/.installed  ## create .venv and install the pinned dependencies

data: venv  ## generate the default data set (300,000 cases) into $OPS_SLA_RAW_DIR
	$(BIN)/python scripts/generate_data.py

build: venv  ## dbt build --full-refresh (every model, data test and unit test) on $OPS_SLA_RAW_DIR
	mkdir -p "$$(dirname "$$OPS_SLA_DB")"
	$(DBT) build --full-refresh

publish: venv  ## publish the tested warehouse for Tableau, then the extracts and the dashboard
	$(BIN)/python scripts/publish.py

# the site is index.html, manifest.json and catalog.json; dbt's other artefacts (compiled SQL,
# the parse cache) stay in a scratch target, and the new site replaces the old one whole
docs: venv  ## dbt docs site (static: index.html, manifest.json, catalog.json) into $OPS_SLA_PUBLISH_DIR/docs
	mkdir -p "$${OPS_SLA_PUBLISH_DIR:?}"
	tmp=$$(mktemp -d "$$OPS_SLA_PUBLISH_DIR/.docs.XXXXXX") && trap 'rm -rf "$$tmp"' EXIT && \
	$(DBT) docs generate --target-path "$$tmp/target" && \
	mkdir "$$tmp/site" && cp "$$tmp"/target/{index.html,manifest.json,catalog.json} "$$tmp/site/" && \
	rm -rf "$$OPS_SLA_PUBLISH_DIR/docs" && mv "$$tmp/site" "$$OPS_SLA_PUBLISH_DIR/docs"

run: data build publish docs  ## generate, build and test the full-scale warehouse, publish it and the dbt docs site

# the build step is `dbt build --selector daily` run by ops_sla/daily.py, which does not rewrite
# target/manifest.json (DECISIONLOG "The daily run does not rewrite the manifest")
daily: venv  ## append the next day of data, build what it changes (selector daily), publish
	$(BIN)/python scripts/generate_data.py --mode incremental --days 1
	$(BIN)/python -m ops_sla.daily
	$(BIN)/python scripts/publish.py

lint: venv  ## ruff, sqlfluff (dbt templater, duckdb dialect), dbt parse and dbt-score
	$(BIN)/ruff check ops_sla scripts pytests
	lint_dir=$$(mktemp -d) && export OPS_SLA_DB=$$lint_dir/lint.duckdb DBT_TARGET_PATH=$$lint_dir/target && \
	$(BIN)/sqlfluff lint models tests/*.sql tests/raw_files/*.sql analyses --disable-progress-bar && \
	$(DBT) parse --quiet && $(BIN)/dbt-score lint --manifest $$lint_dir/target/manifest.json; \
	rc=$$?; rm -rf $$lint_dir; exit $$rc

test: venv lint  ## the whole test suite on a small generated data set (after the linters)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; exit 1; fi; exit $$rc

findings: venv  ## print the findings table from the warehouse
	$(BIN)/python -m ops_sla.findings

bench: venv  ## benchmarks with printed tables (full scale)
	$(BIN)/python scripts/bench.py

readme-images:  ## refresh docs/images from the published dashboard (needs chromium)
	cp "$$OPS_SLA_PUBLISH_DIR"/dashboard/*.png docs/images/
	profile=$$(mktemp -d) && chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
	    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
	    --hide-scrollbars --user-data-dir=$$profile --virtual-time-budget=15000 --window-size=1000,2700 \
	    --screenshot=docs/images/dashboard.png "file://$$OPS_SLA_PUBLISH_DIR/dashboard/index.html"; \
	rc=$$?; rm -rf $$profile; exit $$rc

# data/ is where `make data` generates by default; an OPS_SLA_RAW_DIR elsewhere (a team's own
# export) is left alone. Of the publish folder, only what publishing writes is removed, and
# the folder itself only when that leaves it empty. ${VAR:?} stops the recipe when a path
# variable is empty, so an empty OPS_SLA_DB or OPS_SLA_PUBLISH_DIR never removes anything.
clean:  ## remove data/, the warehouse $OPS_SLA_DB, what publish wrote to $OPS_SLA_PUBLISH_DIR (Tableau's files, docs), target/, logs/
	rm -rf -- data target logs "$${OPS_SLA_DB:?}" "$${OPS_SLA_DB:?}.wal"
	publish="$${OPS_SLA_PUBLISH_DIR:?}" && \
	for name in ops_sla.duckdb ops_sla.duckdb.wal manifest.json extracts dashboard docs; do \
	    rm -rf -- "$$publish/$$name"; \
	done && \
	{ rmdir -- "$$publish" 2>/dev/null || true; }
