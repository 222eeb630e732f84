# Two commands for a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install migrate demo serve bench browser-deps clean messages

run: install messages migrate demo serve

test: install messages browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMP)

# The translations (zh-hant is the default; zh-hans and en are available): .po -> .mo.
messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Newsroom needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[test]"
	@touch $(STAMP)

# Headless Chromium and its driver come from Debian's packages (never downloaded by a test tool).
# Browser tests skip themselves where this cannot install them (no root, no apt).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium not installed; browser tests will be skipped"; fi; \
	fi
	@# axe-core (accessibility rules, injected into pages by the browser tests) from the npm registry.
	@if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --no-save axe-core@4 >/dev/null 2>&1 \
	    || echo "warning: could not install axe-core; accessibility checks will be skipped"; \
	fi

migrate: install
	$(BIN)/python manage.py migrate --verbosity 0

demo: install
	$(BIN)/python manage.py load_demo

serve:
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

bench: install
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } || true
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
