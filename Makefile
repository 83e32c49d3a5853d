# gaoxin — two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test unit eval bench lint format clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gaoxin ingest
	@echo
	@echo "The store is data/gaoxin.db. Try:"
	@echo "  $(BIN)/gaoxin facts --zone 青岛"
	@echo "  sqlite3 data/gaoxin.db 'SELECT zone, metric, value, unit FROM answerable_facts LIMIT 10'"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest -m "not slow"

eval: $(STAMP)
	$(BIN)/gaoxin eval

bench: $(STAMP)
	$(BIN)/gaoxin bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache *.egg-info
