# eventops: `make demo` sets everything up and opens the live demo;
# `make test` sets everything up and runs the whole test suite;
# `make flake TEST=tests/dashboard/test_web.py N=20` runs one test N times and counts the failures;
# `make i18n` refreshes the translation catalogs after the screens' words changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test flake lint bench clean i18n

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); sh scripts/setup-system.sh venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@sh scripts/setup-system.sh
	@touch $(STAMP)

demo: setup
	$(BIN)/eventops demo

test: setup
	@sh scripts/setup-system.sh test
	$(BIN)/python -m pytest -n 2

N ?= 10
flake: setup
	@sh scripts/setup-system.sh test
	$(BIN)/python scripts/flake.py --runs $(N) $(TEST)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	for b in fold scan station search dashboard sync bus imports demo hostile bundle badges exports; do $(BIN)/python bench/$$b.py || exit 1; done

# after changing what the screens say: extract the messages, update the fr/nl/de catalogs
i18n: setup
	sh scripts/i18n.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
