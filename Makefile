# stimmung: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
ALL_EXTRAS := dev,postgres,reddit,airflow,transformers
BIN := .venv/bin
PYTEST_ARGS ?=

.PHONY: demo test lint bench venv venv-all clean

venv:
	@./.ci/venv.sh

venv-all:
	@./.ci/venv.sh $(ALL_EXTRAS)

## demo: set up .venv, run the whole pipeline on the bundled demo data, print the report path
demo: venv
	@$(BIN)/stimmung demo --workdir build/demo

## test: set up .venv with all extras and run the whole test suite (PostgreSQL included)
test: venv-all
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv-all
	@$(BIN)/ruff check pipeline tests dags bench models
	@$(BIN)/mypy

## bench: throughput per stage on synthetic posts
bench: venv
	@$(BIN)/python bench/pipeline.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
