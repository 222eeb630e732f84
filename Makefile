# Two commands for a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install migrate demo serve bench bench-smoke eval browser-deps clean backup restore soak

run: install migrate demo serve

test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMP)

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
	$(BIN)/python manage.py load_demo --url http://$(HOST):$(PORT)

serve:
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The importer on the real-world development set; fails if a figure fell below bench/importer.json.
eval: install migrate
	$(BIN)/python manage.py evaluate_importer --check

# Benchmarks (bench/README.md): wrk from Debian. BENCH_ARGS e.g. "--stories 100000 --database-url postgres://…";
# by default 10,000 stories on a fresh SQLite file. `make bench-smoke` is CI's run: tiny, nothing timed.
bench: install
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } || \
	  echo "note: wrk not installed; the load figures will be skipped"
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-smoke: install
	$(BIN)/python bench/run.py --smoke

# Back up the database DATABASE_URL names (SQLite by default) to backups/, or to BACKUP=FILE;
# `make restore BACKUP=FILE` puts it back (the database as it was is saved first). See README.
backup: install
	$(BIN)/python bench/backup.py backup $(BACKUP)

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/<file>"; ls backups 2>/dev/null; exit 2; }
	$(BIN)/python bench/backup.py restore $(BACKUP)

# Load and faults on real servers (two gunicorns on PostgreSQL, with and without Redis; killed
# connections; SQLite writers during an import). Under 5 minutes; prints a table. See bench/soak.py.
soak: install
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
