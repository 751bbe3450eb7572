# Every target builds .venv on first use, so a fresh machine needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test check lint fmt typecheck contracts fuzz bench bench-quick record clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,bench]'
	# A wheel installs the code inside site-packages/hexclaw; in this development venv the
	# checkout is that root, so the tests and the launcher import domain/adapters/entrypoints
	# from here.
	$(BIN)/python -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "hexclaw-checkout.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m entrypoints.demo $(DEMO_ARGS)

# The real OAuth server the login tests run against (npm, pinned by the lock file).
OAUTH_FAKE := tests/fakes/oauth/node_modules/.installed
$(OAUTH_FAKE): tests/fakes/oauth/package.json tests/fakes/oauth/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/fakes/oauth --no-audit --no-fund && touch $(OAUTH_FAKE); \
	else echo "npm not found: the OAuth server tests will be skipped"; fi

test: $(STAMP) $(OAUTH_FAKE)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

check: lint typecheck contracts test

fuzz: $(STAMP)
	# 5,000 examples per test outlast pytest's 120 s per-test timeout on a busy machine.
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -m fuzz -p no:randomly --timeout 1800 tests

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

record: $(STAMP)
	$(BIN)/python -m tests.fakes.record_live

clean:
	rm -rf $(VENV) build *.egg-info
