# Go Leak Lab. `make lab` sets up and opens the lab; `make test` runs every test.
PY      ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
STAMP   := $(VENV)/.setup-done

.PHONY: lab setup test test-fast run-all docs clean

# JupyterLab rooted at the repository, on labs/00_start_here.ipynb (see `python -m harness lab`).
lab: setup
	$(VPY) -m harness lab

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PY) -c 'import sys; sys.exit("Go Leak Lab needs Python 3.10+, this is " + sys.version.split()[0]) if sys.version_info < (3, 10) else None'
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements.txt
	$(VPY) -m harness setup
	touch $(STAMP)

test: setup
	$(VPY) -m pytest

# The contributor's tier (see CONTRIBUTING.md): everything but the notebooks, the browser and the
# other Pythons' venvs (pytest markers `notebook` and `slow`); it lists its ten slowest tests.
test-fast: setup
	$(VPY) -m pytest -m "not notebook and not slow" --durations=10

run-all: setup
	$(VPY) -m tools.run_labs

clean:
	rm -rf build

docs: run-all
	$(VPY) docs/build.py
