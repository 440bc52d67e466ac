# stimmung: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
ALL_EXTRAS := dev,postgres,reddit,airflow,transformers
BIN := .venv/bin
PYTEST_ARGS ?=

.PHONY: demo test lint bench venv venv-all browser problem-alignment clean airflow

venv:
	@./.ci/venv.sh

venv-all:
	@./.ci/venv.sh $(ALL_EXTRAS)

## demo: set up .venv, run the whole pipeline on the bundled demo data, print the report path
demo: venv problem-alignment
	@$(BIN)/stimmung demo --workdir build/demo

## browser: Debian's chromium for the browser tests and PDF reports (installed when missing, as root)
browser:
	@./.ci/browser.sh

## problem-alignment: the German -> English word table for cross-lingual problems, built here from
## Debian's dict-freedict-deu-eng (GPL data: never shipped; the package is installed when missing, as root)
problem-alignment: venv
	@./.ci/problem_alignment.sh

## test: set up .venv with all extras and run the whole test suite (PostgreSQL and browser included)
test: venv-all browser problem-alignment
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv-all
	@$(BIN)/ruff check pipeline tests dags bench models
	@$(BIN)/mypy

## bench: `stimmung run` end to end on a generated multilingual stream (10k and 100k posts, both
## profiles, SQLite and PostgreSQL) beside the pandas + VADER script; JSON to build/bench/results.json
BENCH_ARGS ?= --sizes 10000 100000 --append
bench: venv-all
	@$(BIN)/python bench/run.py $(BENCH_ARGS) --out build/bench/results.json

## airflow: Airflow standalone (127.0.0.1:8080) running the DAGs on the demo data (.ci/airflow.sh);
## everything it writes (warehouse, key, reports, Airflow's DB) goes under build/airflow
airflow: venv-all
	@./.ci/airflow.sh

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
