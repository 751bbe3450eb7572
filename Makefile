# Every target builds .venv on first use, so a fresh machine needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: sandbox-deps tmux-deps bench-deps demo test check lint fmt typecheck contracts fuzz mutation bench bench-quick record clean

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

# The real MCP server the MCP tests connect to (npm, pinned by the lock file).
MCP_FAKE := tests/fakes/mcp/node_modules/.installed
$(MCP_FAKE): tests/fakes/mcp/package.json tests/fakes/mcp/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/fakes/mcp --no-audit --no-fund && touch $(MCP_FAKE); \
	else echo "npm not found: the server-everything MCP tests will be skipped"; fi

# bubblewrap, which the sandbox tests run for real: installed when missing and we are root
# (CI containers); otherwise those tests skip and say why.
sandbox-deps:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) \
		|| echo "could not install bubblewrap: the sandbox tests will be skipped"; \
	else echo "bwrap not found (apt-get install bubblewrap): the sandbox tests will be skipped"; fi

# tmux, which the REPL tests drive, and expect's unbuffer, a wrapper the shell-rule attacks run
# for real: installed when missing and we are root (CI containers).
tmux-deps:
	@if command -v tmux >/dev/null 2>&1 && command -v unbuffer >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux expect) \
		|| echo "could not install tmux and expect: the tests that need them will be skipped"; \
	else echo "tmux or unbuffer not found (apt-get install tmux expect): those tests will be skipped"; fi

test: $(STAMP) $(OAUTH_FAKE) $(MCP_FAKE) sandbox-deps tmux-deps
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

# Mutation testing of the domain's critical modules, one module at a time with two workers
# (MUTATION_ARGS="shell-splitter --max-children 1" for one); see docs/testing.md.
MUTATION_STAMP := $(VENV)/.mutation-installed
$(MUTATION_STAMP): $(STAMP)
	$(BIN)/pip install -q -c constraints.txt -e '.[mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	$(BIN)/python -m tests.mutation.run $(MUTATION_ARGS)

# Claude Code's sandbox, which the sandbox_session row compares with, needs socat as well.
bench-deps: sandbox-deps
	@if command -v socat >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq socat) \
		|| echo "could not install socat: Claude Code's sandbox row will say so"; \
	else echo "socat not found: Claude Code's sandbox row will say so"; fi

bench: $(STAMP) bench-deps
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

record: $(STAMP)
	$(BIN)/python -m tests.fakes.record_live

clean:
	rm -rf $(VENV) build *.egg-info
