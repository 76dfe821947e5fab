# OpenCOC: `make run` sets up and starts a local server; `make test` sets up and runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

export OPENCOC_DATA_DIR ?= $(CURDIR)/.opencoc

.PHONY: run test test-fast lint fuzz bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/opencoc quickstart
	$(BIN)/opencoc run-local

lint: install
	$(BIN)/ruff check src tests bench harness
	$(BIN)/mypy src
	$(BIN)/lint-imports

# TEST_WORKERS pytest processes (pytest-xdist), each test file on one of them: its module fixtures
# (live servers, PostgreSQL) are set up once. Most tests wait on servers and subprocesses, so two
# workers keep both cores of a small CI machine busy.
TEST_WORKERS ?= 2

test: install lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# Seconds, for checking a change as you work: ruff and tests/unit only (no server, no PostgreSQL;
# the fuzzers' pytest plugins are not loaded, as no unit test uses them). `make test` is the whole run.
test-fast: install
	$(BIN)/ruff check src tests bench
	OPENCOC_TEST_POSTGRES=off $(BIN)/pytest tests/unit -m "not postgres" -p no:schemathesis -p no:hypothesispytest

# The fuzzing tests alone (they are part of `make test` too): schemathesis, integer bounds, webhook corpus.
fuzz: install
	$(BIN)/pytest tests/fuzz

# Every benchmark, one after the other (bench/README.md says what each prints).
bench: install
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python bench/incidents.py
	$(BIN)/python bench/alarms.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/orders.py
	$(BIN)/python bench/agents_idle.py
	$(BIN)/python bench/enrolment.py
	$(BIN)/python bench/console.py
	$(BIN)/python bench/oncall.py
	$(BIN)/python bench/http_limits.py

clean:
	rm -rf $(VENV) .opencoc .pytest_cache .mypy_cache .ruff_cache
