# Every target creates .venv when it is missing, so a fresh machine needs only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SPARK_STAMP := $(VENV)/.spark-stamp
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false

.PHONY: demo test dev docs lint clean bench console console-messages spark

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,console]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/searchlight demo --out demo

# The Spark target's extra (pyspark) and Java 17 from the system's packages
# (docs/spark.md). In CI a missing Java is an error and the Spark test must run
# (SEARCHLIGHT_REQUIRE_SPARK); elsewhere the test is skipped when Java cannot be installed.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,console,spark]'
	@touch $(SPARK_STAMP)

spark: $(SPARK_STAMP)
ifdef CI
	scripts/install-java.sh
else
	@scripts/install-java.sh || echo "no Java 17: the Spark tests will be skipped"
endif

test: $(STAMP) spark
	scripts/install-browser.sh
	$(BIN)/python -m orchestration.prepare
	$(if $(CI),SEARCHLIGHT_REQUIRE_SPARK=1) $(BIN)/pytest -q

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

# Dagster UI with the lineage from each raw source to marts.alerts (uses the demo data).
dev: $(STAMP)
	$(BIN)/python -m orchestration.prepare
	@test -d demo/landing || $(BIN)/searchlight demo --out demo
	@mkdir -p .dagster && cp orchestration/dagster.yaml .dagster/dagster.yaml
	SEARCHLIGHT_LANDING=$(CURDIR)/demo/landing SEARCHLIGHT_WAREHOUSE=$(CURDIR)/demo/warehouse.duckdb \
	  DAGSTER_HOME=$(CURDIR)/.dagster $(BIN)/dagster dev -m orchestration.definitions

# dbt docs for auditors: one self-contained HTML file (works offline).
docs: $(STAMP)
	@test -f demo/warehouse.duckdb || $(BIN)/searchlight demo --out demo
	SEARCHLIGHT_WAREHOUSE=$(CURDIR)/demo/warehouse.duckdb $(BIN)/dbt docs generate --static \
	  --project-dir dbt_project --profiles-dir dbt_project --target-path $(CURDIR)/docs/site
	@echo "open docs/site/static_index.html"

# Benchmarks (figures, not tests): generated data and warehouses under $(BENCH_DATA).
# SCALES=1 10 100 1000 for the full set (1000: ~10 GB of CSV, long on a small machine).
BENCH_DATA ?= /tmp/bench
SCALES     ?= 1 10 100
bench: $(STAMP)
	$(BIN)/python -m orchestration.prepare
	@for s in $(SCALES); do $(BIN)/python bench/run.py --scale $$s --data $(BENCH_DATA) || exit 1; done
	$(BIN)/python bench/report.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf demo .dagster dbt_project/target dbt_project/target-spark dbt_project/logs docs/site
