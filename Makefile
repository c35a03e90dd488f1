# ops-sla — two commands: `make run` (the demo: generate, build, publish) and `make test` (whole test suite, small data).
# Two worlds: the demo targets (data, demo/run, demo-daily) generate synthetic data; the own-data
# targets (build, daily, publish, docs) never run the generator, and the generator refuses a
# folder it did not create (a team's export), so a demo target cannot touch it either.
SHELL := /bin/bash
# the interpreter .venv is built on (3.11 or newer; `make PYTHON=python3.12 venv` picks another)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

export OPS_SLA_RAW_DIR ?= $(CURDIR)/data/raw
export OPS_SLA_DB ?= $(CURDIR)/data/ops_sla.duckdb
export OPS_SLA_PUBLISH_DIR ?= $(CURDIR)/publish
# the manifest of the last full build (`make build` saves it): the daily run compares its code
# with it (`dbt build --selector daily --state ...`, DECISIONLOG "Incremental runs")
export OPS_SLA_STATE_DIR ?= $(dir $(OPS_SLA_DB))last_full_build
export DBT_PROFILES_DIR := $(CURDIR)
# pytest workers: the suite is mostly dbt subprocesses waiting on one core each. A module's
# tests stay on one worker (--dist loadscope), so its module-scoped builds run once, not
# once per worker (the whole suite is ~60 minutes of worker time: docs/testing.md)
TEST_WORKERS ?= 2
# the demo's world: default (one Los Angeles team) or global (five teams on their own
# schedules, hand-offs between them): `make run WORLD=global`
WORLD ?= default
# the years `make holidays` writes public holidays for
HOLIDAY_YEARS ?= 2024 2026
DBT := $(BIN)/dbt

.PHONY: help venv venv-spark data holidays build publish docs demo run demo-daily daily where test pytest test-spark lint bench findings readme-images clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | while IFS= read -r line; do \
	    printf '  %-15s %s\n' "$${line%%:*}" "$${line#*## }"; \
	done

$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	    echo "make venv: ops-sla needs Python 3.11 or newer, and '$(PYTHON)' is older or not found;" \
	         "install one and run e.g. make PYTHON=python3.12 venv" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

venv: $(VENV)/.installed  ## create .venv and install the pinned dependencies

# the Spark target (profiles.yml output `spark`): dbt-spark in session mode, pyspark in-process,
# in a virtualenv of its own (requirements-spark.txt); Java 17 is a system package
VENV_SPARK := .venv-spark
$(VENV_SPARK)/.installed: requirements-spark.txt
	test -x $(VENV_SPARK)/bin/python || $(PYTHON) -m venv $(VENV_SPARK)
	$(VENV_SPARK)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_SPARK)/bin/python -m pip install --quiet -r requirements-spark.txt
	touch $@

venv-spark: $(VENV_SPARK)/.installed  ## create .venv-spark (dbt-spark, pyspark) for the Spark target; needs Java 17

data: venv  ## demo: generate the data set (300,000 cases; WORLD=global: five teams) into $OPS_SLA_RAW_DIR (only a folder it created, or a new one)
	$(BIN)/ops-sla-generate --world $(WORLD)

holidays: venv  ## rewrite the public holidays of seeds/schedule_closures.csv for HOLIDAY_YEARS (own closures kept)
	$(BIN)/ops-sla-holidays --years $(HOLIDAY_YEARS)

build: venv  ## dbt build --full-refresh (every model, data test and unit test) on $OPS_SLA_RAW_DIR; saves its manifest to $OPS_SLA_STATE_DIR
	mkdir -p "$$(dirname "$$OPS_SLA_DB")" "$${OPS_SLA_STATE_DIR:?}"
	$(DBT) build --full-refresh
	cp "$${DBT_TARGET_PATH:-target}/manifest.json" "$$OPS_SLA_STATE_DIR/manifest.json.tmp" && \
	mv "$$OPS_SLA_STATE_DIR/manifest.json.tmp" "$$OPS_SLA_STATE_DIR/manifest.json"

publish: venv  ## publish the tested warehouse for Tableau, then the extracts and the dashboard
	$(BIN)/ops-sla-publish

# the site is index.html, manifest.json and catalog.json; dbt's other artefacts (compiled SQL,
# the parse cache) stay in a scratch target, and the new site replaces the old one whole
docs: venv  ## dbt docs site (static: index.html, manifest.json, catalog.json) into $OPS_SLA_PUBLISH_DIR/docs
	mkdir -p "$${OPS_SLA_PUBLISH_DIR:?}"
	tmp=$$(mktemp -d "$$OPS_SLA_PUBLISH_DIR/.docs.XXXXXX") && trap 'rm -rf "$$tmp"' EXIT && \
	$(DBT) docs generate --target-path "$$tmp/target" && \
	mkdir "$$tmp/site" && cp "$$tmp"/target/{index.html,manifest.json,catalog.json} "$$tmp/site/" && \
	rm -rf "$$OPS_SLA_PUBLISH_DIR/docs" && mv "$$tmp/site" "$$OPS_SLA_PUBLISH_DIR/docs"
	@echo "docs: the site is $$OPS_SLA_PUBLISH_DIR/docs/index.html (dbt's catalog path above was a scratch folder, now removed)"

demo: data build publish docs where  ## the demo: generate, build and test the full-scale warehouse, publish it and the dbt docs site

run: demo  ## the demo's one command (= make demo)

daily: venv  ## own data: build the files delivered since the last build (selector daily), publish
	mkdir -p "$$(dirname "$$OPS_SLA_DB")"
	@test -f "$$OPS_SLA_STATE_DIR/manifest.json" || { echo "ops-sla: no manifest of a full build in" \
	    "$$OPS_SLA_STATE_DIR (the daily run compares its code with it): run a full build and publish it:" \
	    "make build && make publish" >&2; exit 2; }
	$(DBT) build --selector daily --state "$$OPS_SLA_STATE_DIR"
	$(BIN)/ops-sla-publish

# A day is appended only once the warehouse has accepted a daily run on the data as it is
# (its guards: the last full build, code, vars, calendar, loaded files, clock); a refused or
# failed check leaves the raw folder as it was (DECISIONLOG "make demo-daily checks before it
# appends")
demo-daily: venv  ## demo: check the warehouse takes a daily run, append a generated day, build it (selector daily), publish
	mkdir -p "$$(dirname "$$OPS_SLA_DB")"
	@{ test -f "$$OPS_SLA_STATE_DIR/manifest.json" || { echo "ops-sla: no manifest of a full build in" \
	    "$$OPS_SLA_STATE_DIR (the daily run compares its code with it): run a full build and publish it:" \
	    "make build && make publish" >&2; false; }; } && \
	$(DBT) build --selector daily --state "$$OPS_SLA_STATE_DIR" || { \
	    echo "demo-daily: the warehouse refused (or failed) a daily run on the data as it is (dbt's message above);" \
	         "no day was generated, $$OPS_SLA_RAW_DIR is unchanged. \`make demo\` rebuilds the demo from scratch." >&2; \
	    exit 1; }
	$(BIN)/ops-sla-generate --mode incremental --days 1
	@$(DBT) build --selector daily --state "$$OPS_SLA_STATE_DIR" || { \
	    echo "demo-daily: the daily run of the appended day stopped (dbt's message above); the day stays in" \
	         "$$OPS_SLA_RAW_DIR and nothing was published. Fix what dbt names, then \`make daily\`." >&2; \
	    exit 1; }
	$(BIN)/ops-sla-publish
	@$(MAKE) --no-print-directory where

where:  ## where the results are: warehouse, published file, extracts, dashboard, docs
	@echo "ops-sla results:"
	@for item in "warehouse (dbt writes):$$OPS_SLA_DB" \
	             "published file (Tableau):$$OPS_SLA_PUBLISH_DIR/ops_sla.duckdb" \
	             "extracts (.hyper, .csv):$$OPS_SLA_PUBLISH_DIR/extracts/" \
	             "dashboard:$$OPS_SLA_PUBLISH_DIR/dashboard/index.html" \
	             "dbt docs site:$$OPS_SLA_PUBLISH_DIR/docs/index.html"; do \
	    path="$${item#*:}"; state=""; [ -e "$$path" ] || state="  (not written yet)"; \
	    printf '  %-26s %s%s\n' "$${item%%:*}" "$$path" "$$state"; \
	done
	@echo "  docs with working links: python -m http.server -d \"$$OPS_SLA_PUBLISH_DIR\" 8080, then http://localhost:8080/docs/"

lint: venv  ## ruff, sqlfluff (dbt templater, duckdb dialect), dbt parse and dbt-score
	$(BIN)/ruff check ops_sla benchmarks pytests spark_tests
	lint_dir=$$(mktemp -d) && export OPS_SLA_DB=$$lint_dir/lint.duckdb DBT_TARGET_PATH=$$lint_dir/target && \
	$(BIN)/sqlfluff lint models tests/*.sql tests/raw_files/*.sql analyses --disable-progress-bar && \
	$(DBT) parse --quiet && $(BIN)/dbt-score lint --manifest $$lint_dir/target/manifest.json; \
	rc=$$?; rm -rf $$lint_dir; exit $$rc

# the linters run beside pytest, not before it: sqlfluff's dbt templater keeps one core busy
# for ~4.5 minutes (the two clock models expand to ~40,000 characters each), and pytest's
# workers spend much of their time waiting on dbt's start-up. pytest prints its progress as it
# goes; the linters' report follows it. Both must pass.
test: venv  ## the linters and the whole test suite on a small generated data set, side by side
	@lint_log=$$(mktemp); trap 'rm -f "$$lint_log"' EXIT; \
	$(MAKE) --no-print-directory lint > "$$lint_log" 2>&1 & linting=$$!; \
	$(MAKE) --no-print-directory pytest; tested=$$?; \
	wait $$linting; linted=$$?; \
	echo "--- make lint (ran beside pytest):"; cat "$$lint_log"; \
	if [ $$linted -ne 0 ]; then echo "make test: the linters failed (their report is above)" >&2; fi; \
	[ $$tested -eq 0 ] && [ $$linted -eq 0 ]

test-spark: venv venv-spark  ## the Spark parity test: two small data sets built on DuckDB and on Spark (local), every mart equal
	@command -v java >/dev/null 2>&1 || { echo "make test-spark: Spark needs Java 17 (apt-get install -y openjdk-17-jre-headless)" >&2; exit 1; }
	$(BIN)/python -m pytest spark_tests -p no:cacheprovider --durations=10 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; exit 1; fi; exit $$rc

# PYTEST_ARGS: e.g. a module, `-k name` or `-x` (`make pytest PYTEST_ARGS=pytests/test_bad_input.py`)
PYTEST_ARGS ?=
pytest: venv  ## the test suite alone (two workers), without the linters
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --durations=25 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; exit 1; fi; exit $$rc

findings: venv  ## print the findings table from the warehouse
	$(BIN)/ops-sla-findings

bench: venv  ## benchmarks with printed tables (full scale)
	$(BIN)/python -m benchmarks

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
clean:  ## remove data/, the warehouse $OPS_SLA_DB and its $OPS_SLA_STATE_DIR, what publish wrote to $OPS_SLA_PUBLISH_DIR (Tableau's files, docs), target/, logs/
	rm -rf -- data target logs "$${OPS_SLA_DB:?}" "$${OPS_SLA_DB:?}.wal" "$${OPS_SLA_STATE_DIR:?}"
	publish="$${OPS_SLA_PUBLISH_DIR:?}" && \
	for name in ops_sla.duckdb ops_sla.duckdb.wal manifest.json extracts dashboard docs; do \
	    rm -rf -- "$$publish/$$name"; \
	done && \
	{ rmdir -- "$$publish" 2>/dev/null || true; }
