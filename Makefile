# Every target creates .venv when it is missing, so a fresh machine needs only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Exact versions for Python 3.11 on Linux, compiled from pyproject.toml by `make lock`:
# every target installs from it. An extra listed here is locked and installed too
# (add one, e.g. LOCK_EXTRAS := dev console, then run `make lock`).
LOCK        := requirements.lock
LOCK_EXTRAS := dev console spark
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false

.PHONY: demo test test-fast dev docs lint lock clean bench calendar console console-messages

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

# Recompile the lock after a change of pyproject.toml's dependencies: pins that still fit
# stay. `make lock UPGRADE=1` takes the newest releases the bounds allow.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml $(addprefix --extra ,$(LOCK_EXTRAS)) \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	  $(if $(UPGRADE),--upgrade) --custom-compile-command 'make lock' --quiet \
	  --output-file $(LOCK)

# The demo's run is recorded in the Dagster instance .dagster, so `make dev` shows it.
demo: $(STAMP) .dagster/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster $(BIN)/searchlight demo --out demo

.dagster/dagster.yaml: orchestration/dagster.yaml
	@mkdir -p .dagster && cp orchestration/dagster.yaml .dagster/dagster.yaml

# Java 17 for the Spark target (pyspark comes with the lock's spark extra): without it
# the Spark tests would skip, so make test requires them to run (docs/spark.md).
test: $(STAMP)
	scripts/install-browser.sh
	scripts/install-java.sh
	$(BIN)/python -m orchestration.prepare
	SEARCHLIGHT_REQUIRE_SPARK=1 $(BIN)/pytest -q

# The supervision console over the demo (http://127.0.0.1:8000). First account:
#   .venv/bin/searchlight users add NAME --role supervisor --warehouse demo/warehouse.duckdb
console: $(STAMP)
	@test -f demo/warehouse.duckdb || $(BIN)/searchlight demo --out demo
	$(BIN)/searchlight console --warehouse demo/warehouse.duckdb

# After changing a UI string: extract it and update both catalogs, then translate the
# new entries of console/locale/zh_CN/LC_MESSAGES/messages.po (console/i18n.py).
console-messages: $(STAMP)
	$(BIN)/pybabel extract -F console/babel.cfg -k N_ -k tr --no-location --sort-output \
	  --omit-header -o console/locale/messages.pot console
	$(BIN)/pybabel update -i console/locale/messages.pot -d console/locale -D messages \
	  --no-fuzzy-matching --ignore-obsolete --width 100

# Every test that needs no full pipeline build (tiers unit and dbt: tests/tiers.py).
test-fast: $(STAMP)
	$(BIN)/python -m orchestration.prepare
	$(BIN)/pytest -q -m 'unit or dbt'

# Dagster UI with the lineage from each raw source to marts.alerts (uses the demo data).
dev: $(STAMP) .dagster/dagster.yaml
	$(BIN)/python -m orchestration.prepare
	@test -d demo/landing || DAGSTER_HOME=$(CURDIR)/.dagster $(BIN)/searchlight demo --out demo
	SEARCHLIGHT_LANDING=$(CURDIR)/demo/landing SEARCHLIGHT_WAREHOUSE=$(CURDIR)/demo/warehouse.duckdb \
	  DAGSTER_HOME=$(CURDIR)/.dagster $(BIN)/dagster dev -m orchestration.definitions

# dbt docs for auditors: one self-contained HTML file (works offline).
docs: $(STAMP)
	@test -f demo/warehouse.duckdb || $(BIN)/searchlight demo --out demo
	SEARCHLIGHT_WAREHOUSE=$(CURDIR)/demo/warehouse.duckdb $(BIN)/dbt docs generate --static \
	  --project-dir dbt_project --profiles-dir dbt_project --target-path $(CURDIR)/docs/site
	@echo "open docs/site/static_index.html"

# Benchmarks (figures, not tests): generated data and warehouses under $(BENCH_DATA).
# Scale 32 is issue 15's 320k-case district. SCALES="1 10 32 100 1000" for the full set
# (1000: ~6 GB of CSV, about half an hour on a small machine).
BENCH_DATA ?= /tmp/bench
SCALES     ?= 1 10 32 100
bench: $(STAMP)
	$(BIN)/python -m orchestration.prepare
	@for s in $(SCALES); do $(BIN)/python bench/run.py --scale $$s --data $(BENCH_DATA) || exit 1; done
	$(BIN)/python bench/report.py

# The China working-day calendar seed (seeds/china_calendar*.csv) from the installed
# holidays package: run after upgrading it, then review the diff (a moved date moves alerts).
calendar: $(STAMP)
	$(BIN)/python -m ingest.calendar_seed

# SQL too: sqlfluff with the house style of dbt_project/.sqlfluff (tests/test_sql_lint.py).
lint: $(STAMP)
	$(BIN)/ruff check .
	cd dbt_project && ../$(BIN)/sqlfluff lint models tests --processes 2

clean:
	rm -rf demo .dagster dbt_project/target dbt_project/target-spark dbt_project/logs docs/site
