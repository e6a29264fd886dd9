# Set-up and the two jobs the README promises: `make demo` and `make test`.
# The CPU torch wheel is installed before anything else, so that resolving scgan's `torch>=2.2`
# finds torch already satisfied and never downloads CUDA packages. Override TORCH on a GPU machine.
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
BIN := $(VENV)/bin
DEMO_OUT ?= scgan_demo

.PHONY: install demo test lint docs

$(BIN)/.scgan-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[test,doc]"
	touch $@

install: $(BIN)/.scgan-installed

demo: install
	$(BIN)/scgan demo --out $(DEMO_OUT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

docs: install
	$(BIN)/sphinx-build -W --keep-going -b html -q docs docs/_build/html

test: install lint
	$(BIN)/python -m pytest
	$(MAKE) docs
