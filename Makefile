# Quick start: `make convert` (main job) and `make test` (whole suite). Both install into .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/rate2spike: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0   # CPU wheel first: an unpinned torch pulls a CUDA build
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(BIN)/rate2spike

convert: install
	$(BIN)/rate2spike convert --task gonogo

test: install
	$(BIN)/python -m pytest -q

.PHONY: install convert test
