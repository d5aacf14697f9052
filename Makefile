# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make run    – start the bot (the terminal chat when TELEGRAM_BOT_TOKEN is unset)
#   make test   – install everything and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint install

$(BIN)/naeringsbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/naeringsbot

run: install
	$(BIN)/naeringsbot run

lint: install
	$(BIN)/ruff check bot handlers tests bench
	$(BIN)/mypy

test: install lint
	$(BIN)/python -m pytest -q -p no:cacheprovider; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	exit $$status
