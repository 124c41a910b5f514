# Quick start: `make convert` (main job) and `make test` (lint + whole suite). Both install into .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/rate2spike: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt torch   # CPU wheel first: an unpinned torch pulls a CUDA build
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	touch $@

install: $(BIN)/rate2spike

convert: install
	$(BIN)/rate2spike convert --task gonogo

lint: install
	$(BIN)/ruff check rate2spike tests benchmarks examples
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/python -m pytest -q -n 2 --dist worksteal   # 2 workers; idle ones take queued tests

test-fast: install
	$(BIN)/python -m pytest -q -n 2 --dist worksteal -m "not slow"

# The documentation site (docs/_build/html/index.html): warnings are errors, and every
# gallery example in examples/ runs during the build.
docs: install
	$(BIN)/pip install -q -c constraints.txt -e ".[docs]"
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

.PHONY: install convert lint test test-fast docs
