# Two commands on a fresh machine (Python 3.11 with venv):
#   make run    install into .venv, then run one intake cycle (SQLite, temporary local Prefect server)
#   make test   install into .venv, then run the tests
VENV ?= .venv
PYTHON ?= python3
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e '.[test]'
	touch $@

.PHONY: install run demo test bench
install: $(VENV)/.installed

run: $(VENV)/.installed
	$(VENV)/bin/lpi run $(ARGS)

demo: $(VENV)/.installed
	$(VENV)/bin/python scripts/demo.py $(ARGS)

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -q $(ARGS)

# MATCH_SPEED: the matching speed bench's options; the full table is --sizes 10k,100k,1m (hours)
MATCH_SPEED ?= --sizes 10k --runs 3
bench: $(VENV)/.installed
	$(VENV)/bin/python bench/cycle_bench.py
	$(VENV)/bin/python bench/match_speed.py $(MATCH_SPEED)
