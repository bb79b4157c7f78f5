# hipflex — the front door. `make help` lists every task.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help venv demo test test-fast lint format bench lab app clean-reports distclean

help:  ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,dask,app]"
	$(PY) -m ipykernel install --sys-prefix --name hipflex --display-name "Python (hipflex)" >/dev/null
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install hipflex with its dev tools

demo: $(STAMP)  ## sample data -> clean -> every report into reports/ (prints where index.html is)
	$(VENV)/bin/hipflex demo --out reports

test: $(STAMP)  ## the whole test suite, notebooks and browser test included
	$(PY) -m pytest

test-fast: $(STAMP)  ## the suite without kernels, browsers or stress tests (2 processes; under 90 s)
	$(PY) -m pytest -m "not slow and not browser" -n 2 --dist loadscope --hypothesis-profile=fast

lint: $(STAMP)  ## ruff lint + format check
	$(VENV)/bin/ruff check analysis tests benchmarks
	$(VENV)/bin/ruff format --check analysis tests benchmarks

format: $(STAMP)  ## apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix analysis tests benchmarks
	$(VENV)/bin/ruff format analysis tests benchmarks

bench: $(STAMP)  ## run every benchmark (prints ratios against baselines measured in the same run)
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lab: $(STAMP)  ## JupyterLab on notebooks/ with the `hipflex` kernel (start with explore.ipynb)
	@test -d data/raw/sample || $(VENV)/bin/hipflex sample data/raw/sample
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,) notebooks/explore.ipynb

app: $(STAMP)  ## the explorer as a local web page (Voilà on 127.0.0.1, no code shown); DIR=data/raw/...
	@test -d data/raw/sample || $(VENV)/bin/hipflex sample data/raw/sample
	$(VENV)/bin/hipflex app $(or $(DIR),data/raw/sample)

clean-reports:  ## remove generated reports and processed data
	rm -rf reports/athletes reports/cohorts reports/*.html reports/*.ipynb reports/.hipflex data/processed/*

distclean: clean-reports  ## also remove the virtual environment
	rm -rf $(VENV)
