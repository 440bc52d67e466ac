# stimmung: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
ALL_EXTRAS := dev,postgres,reddit,airflow,transformers
BIN := .venv/bin
PYTEST_ARGS ?=

.PHONY: demo test lint bench venv venv-all browser clean airflow

venv:
	@./.ci/venv.sh

venv-all:
	@./.ci/venv.sh $(ALL_EXTRAS)

## demo: set up .venv, run the whole pipeline on the bundled demo data, print the report path
demo: venv
	@$(BIN)/stimmung demo --workdir build/demo

## browser: Debian's chromium for the browser tests and PDF reports (installed when missing, as root)
browser:
	@./.ci/browser.sh

## test: set up .venv with all extras and run the whole test suite (PostgreSQL and browser included)
test: venv-all browser
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv-all
	@$(BIN)/ruff check pipeline tests dags bench models
	@$(BIN)/mypy

## bench: throughput per stage on synthetic posts
bench: venv
	@$(BIN)/python bench/pipeline.py

AIRFLOW_HOME ?= $(PWD)/build/airflow
AIRFLOW_ENV := AIRFLOW_HOME=$(AIRFLOW_HOME) AIRFLOW__CORE__DAGS_FOLDER=$(PWD)/dags \
	AIRFLOW__CORE__LOAD_EXAMPLES=False AIRFLOW__API__HOST=127.0.0.1 \
	AIRFLOW__CORE__PARALLELISM=4 AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG=4 \
	STIMMUNG_CONFIG=$(PWD)/examples/stimmung.yaml

## airflow: run Airflow (standalone, 127.0.0.1:8080) with the stimmung DAGs and the example config
airflow: venv-all
	@mkdir -p $(AIRFLOW_HOME)
	@$(AIRFLOW_ENV) $(BIN)/airflow db migrate >/dev/null
	@for kind in feed file reddit discourse html; do \
	  slots=$$([ $$kind = reddit ] && echo 1 || echo 2); \
	  $(AIRFLOW_ENV) $(BIN)/airflow pools set stimmung_$$kind $$slots "stimmung $$kind sources" >/dev/null; \
	done
	@echo "Airflow UI: http://127.0.0.1:8080  (user admin, password in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated)"
	@$(AIRFLOW_ENV) PATH=$(PWD)/$(BIN):$$PATH $(BIN)/airflow standalone

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
