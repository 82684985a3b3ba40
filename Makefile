# The index of every developer command. Quick start: `make run`, then `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the PDFs and graphs need: CJK fonts, HarfBuzz's subsetter (20–35× faster CJK
# subsetting), Pango, and Graphviz for the transition graphs.
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 graphviz
# Circulars (GB/T 9704): FangSong and Kai faces (Fandol, in texlive-lang-chinese; AR PL UKai),
# fc-list to find faces, poppler-utils for the PDF tests.
SYSTEM_PACKAGES += texlive-lang-chinese fonts-arphic-ukai fontconfig poppler-utils
# Browser tests (tests/browser): Debian's Chromium, driven by Playwright; never a browser download.
SYSTEM_PACKAGES += chromium

.PHONY: help run test lint format bench messages system-deps migrate seed clean-var

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

system-deps:  ## Install the Debian packages the PDFs need (apt-get when root)
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "PDF circulars need these Debian packages: $$missing"; \
	    echo "Install them with: sudo apt-get install $$missing"; \
	  fi; \
	fi

migrate: $(VENV)/.runtime  ## Apply database migrations (a database of an earlier layout is said so plainly)
	$(BIN)/python manage.py prepare_database
	$(BIN)/python manage.py migrate --noinput -v0

seed: migrate  ## Create or refresh the demo data (idempotent)
	$(BIN)/python manage.py seed_demo

run: $(VENV)/.runtime system-deps seed  ## Set up everything and start the platform (web, worker, beat)
	@# In DEBUG (the default) WhiteNoise serves static files from the apps; collect only for production.
	@if [[ "$${DJANGO_DEBUG:-1}" =~ ^(0|false|False|no)$$ ]]; then $(BIN)/python manage.py collectstatic --noinput -v0; fi
	HOST=$(HOST) PORT=$(PORT) scripts/run.sh

test: $(VENV)/.dev system-deps  ## Run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(BIN)/pytest

lint: $(VENV)/.dev  ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

BENCH_CASES ?= 1000000
BENCH_CLIENTS ?= 100 1000
bench: $(VENV)/.dev system-deps  ## Benchmarks (PostgreSQL + Redis on 127.0.0.1): case lists, notice fan-out, circulars
	BENCH_CASES=$(BENCH_CASES) $(BIN)/python bench/access_lists.py
	$(BIN)/python bench/notices_fanout.py $(BENCH_CLIENTS)
	$(BIN)/python bench/circulars.py
	$(BIN)/python bench/insurance.py
	$(BIN)/python bench/briefing.py
	$(BIN)/python bench/signing.py
	$(BIN)/python bench/supplies.py
	$(BIN)/python bench/supply_requests.py
	$(BIN)/python bench/credentials.py
	$(BIN)/python bench/health_codes.py
	$(BIN)/python bench/tracing_letters.py

messages: $(VENV)/.dev  ## Extract and compile translations (needs gettext)
	$(BIN)/python manage.py makemessages -l en -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean-var:  ## Delete the embedded database, broker and media under var/
	rm -rf var
