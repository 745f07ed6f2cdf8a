# One command to run the app, one to test everything. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
DB ?= data/cxdash.duckdb
PORT ?= 8501
# Browser tests drive Debian's Chromium (Playwright's own browser download does not work offline).
CHROMIUM := /usr/bin/chromium
# The board-pack tests read the PDF back with poppler's pdftoppm and pdftotext.
PDFTOPPM := /usr/bin/pdftoppm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench setup demo lint format check clean-db

# With no sign-in configured, importing and opening workshop sessions need passcodes (README, "Sign-in and
# permissions"): run makes a fresh pair for each start unless they are set (set one empty to keep that off).
NEW_PASSCODE = $(PY) -c "import secrets; print(secrets.token_hex(4))"
run: setup demo
	@export CXDASH_IMPORT_PASSCODE="$${CXDASH_IMPORT_PASSCODE-$$($(NEW_PASSCODE))}" \
		CXDASH_FACILITATOR_PASSCODE="$${CXDASH_FACILITATOR_PASSCODE-$$($(NEW_PASSCODE))}"; \
	echo "Passcodes for this run (unless sign-in is configured): import $$CXDASH_IMPORT_PASSCODE," \
		"facilitator $$CXDASH_FACILITATOR_PASSCODE"; \
	CXDASH_DB=$(DB) exec $(PY) -m cxdash serve --server.port $(PORT)

test: setup $(CHROMIUM) $(PDFTOPPM)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# The benchmark: demo databases of 100k, 1m and 10m responses, every page timed, results in
# docs/performance.md. `make bench BENCH_ARGS="--sizes 100k --quick"` for a fast try.
BENCH_ARGS ?=
bench: setup $(CHROMIUM)
	$(PY) -m cxdash bench $(BENCH_ARGS)

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

$(CHROMIUM) $(PDFTOPPM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium poppler-utils

demo: setup
	CXDASH_DB=$(DB) $(PY) -m cxdash demo --if-missing

check: setup
	CXDASH_DB=$(DB) $(PY) -m cxdash check

lint: setup
	$(PY) -m ruff check .

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean-db:
	rm -f $(DB) $(DB).wal
