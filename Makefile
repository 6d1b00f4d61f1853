# courtval — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
COURTVAL_HOME ?= var
export COURTVAL_HOME
COURTVAL_DATA_DIR ?= data
export COURTVAL_DATA_DIR
DATA := $(COURTVAL_DATA_DIR)/property_transactions.parquet
VEHICLE_DATA := $(COURTVAL_DATA_DIR)/vehicle_transactions.parquet
DEBTOR_DATA := $(COURTVAL_DATA_DIR)/debtors.parquet
CASE_DATA := $(COURTVAL_DATA_DIR)/cases.parquet
GUIDE_PRICES := $(COURTVAL_DATA_DIR)/guide_prices.csv
APT_PACKAGES := $(shell grep -v '^\#' .ci/apt-packages.txt 2>/dev/null)
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

.DEFAULT_GOAL := help
.PHONY: help install install-dev system data train run serve test lint format typecheck bench clean

help: ## Show this help.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.run: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $@

$(VENV)/.dev: $(VENV)/.run
	$(PIP) -e '.[dev]'
	touch $@

install: $(VENV)/.run ## Create the virtual environment and install courtval (pinned).

install-dev: $(VENV)/.dev ## Install with the test and benchmark extras.

$(DATA): | $(VENV)/.run
	$(BIN)/courtval data generate property --out $(DATA)

$(VEHICLE_DATA): | $(VENV)/.run
	$(BIN)/courtval data generate vehicle --out $(VEHICLE_DATA)

$(DEBTOR_DATA): | $(VENV)/.run
	$(BIN)/courtval data generate debtors --out $(DEBTOR_DATA)

$(GUIDE_PRICES): | $(VENV)/.run
	$(BIN)/courtval data generate guide-prices --out $(GUIDE_PRICES)

$(CASE_DATA): | $(VENV)/.run
	$(BIN)/courtval data generate cases --out $(CASE_DATA)

QUEUE_DIR := $(COURTVAL_DATA_DIR)/queues

$(QUEUE_DIR): | $(CASE_DATA)
	$(BIN)/courtval data queue --data $(CASE_DATA)

data: $(DATA) $(VEHICLE_DATA) $(DEBTOR_DATA) $(CASE_DATA) $(QUEUE_DIR) $(GUIDE_PRICES) ## Generate the default synthetic data (once).

train: $(VENV)/.run $(DATA) $(VEHICLE_DATA) $(DEBTOR_DATA) $(CASE_DATA) $(QUEUE_DIR) ## Train and register each model unless it has a champion.
	$(BIN)/courtval train property --data $(DATA) --if-missing
	$(BIN)/courtval train vehicle --data $(VEHICLE_DATA) --if-missing
	$(BIN)/courtval train capacity --data $(DEBTOR_DATA) --if-missing
	$(BIN)/courtval train difficulty --data $(CASE_DATA) --if-missing

# The demo serves the synthetic government prices unless COURTVAL_GUIDE_PRICE_FILE names others.
run: train $(GUIDE_PRICES) ## Install, generate data, train, and serve on http://127.0.0.1:8000 (prints demo keys).
	COURTVAL_GUIDE_PRICE_FILE=$${COURTVAL_GUIDE_PRICE_FILE:-$(GUIDE_PRICES)} $(BIN)/courtval serve --demo-keys

serve: ## Serve the current champions.
	$(BIN)/courtval serve

system: ## Install the Debian packages the tests need (.ci/apt-packages.txt; only the missing).
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing; \
	fi

BENCH_LOG := $(COURTVAL_HOME)/benchmark-tests.log

# The real-data benchmarks (marker `benchmark`: pure computation, no server, database or port)
# run in a second process beside the rest, one per core; their report follows the main one.
test: system $(VENV)/.dev ## Install and run the whole test suite (benchmarks in a second process).
	@mkdir -p $(COURTVAL_HOME)
	@$(BIN)/python -m pytest -m benchmark -p no:cacheprovider > $(BENCH_LOG) 2>&1 & bench=$$!; \
	$(BIN)/python -m pytest -m "not benchmark"; rest=$$?; \
	wait $$bench; benchmarks=$$?; \
	echo "---- real-data benchmarks (ran beside the suite above; log: $(BENCH_LOG)) ----"; \
	cat $(BENCH_LOG); \
	test $$rest -eq 0 && test $$benchmarks -eq 0

lint: $(VENV)/.dev ## Ruff check and format check.
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.dev ## Format the code.
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

typecheck: $(VENV)/.dev ## Mypy on the packages.
	$(BIN)/mypy

bench: $(VENV)/.dev ## Serving and triage benchmarks, real-data cross-validations (JSON lines).
	$(BIN)/courtval bench serve
	$(BIN)/courtval bench triage
	$(BIN)/courtval evaluate difficulty
	$(BIN)/courtval evaluate property --dataset ames
	$(BIN)/courtval evaluate vehicle --dataset car_prices
	$(BIN)/courtval evaluate capacity --dataset credit_data
	$(BIN)/courtval evaluate capacity --dataset lending_club

clean: ## Remove generated data, MLflow store and the virtual environment.
	rm -rf $(VENV) $(COURTVAL_HOME) $(COURTVAL_DATA_DIR)/*.parquet $(COURTVAL_DATA_DIR)/*.csv $(QUEUE_DIR)
