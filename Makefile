# Two commands matter: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install index run serve ui lint test bench eval browser clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The CPU build of torch lies on disk; pinning it first keeps pip from pulling a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@echo "Compiling the evaluation metrics once for this environment (about a minute)..."
	$(BIN)/python -W ignore -c "from evals.metrics import warm_up; warm_up()"
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/localities ingest

# Browser tests use Debian's Chromium; Playwright's own browser download does not work here.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

run: index
	@echo "API: http://127.0.0.1:8000 (docs at /docs)   UI: http://127.0.0.1:8501"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/localities serve --host 127.0.0.1 --port 8000 & \
	$(BIN)/localities ui --port 8501 & \
	wait

serve: index
	$(BIN)/localities serve

# The layers contracts (pyproject.toml), the ruff rules and mypy on the library packages.
lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check core stores ingest assistant localities evals ui bench tests alembic
	$(BIN)/mypy

test: lint browser
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=20

eval: index
	$(BIN)/localities eval --split test

bench: index
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) index evals/reports
