# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint bench bench-ingest bench-indicators bench-kannel clean serve serve-stop

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/malux demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	bash tests/services/start.sh
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

serve: $(STAMP)
	bash deployments/serve.sh start

serve-stop:
	bash deployments/serve.sh stop

# Benchmarks write their figures, with the command, into docs/benchmarks.md. Not part of `make test`.
bench: $(STAMP)
	$(BIN)/python bench/demo_wall_time.py

bench-ingest: $(STAMP)
	$(BIN)/python bench/ingest_1m.py

bench-indicators: $(STAMP)
	$(BIN)/python bench/indicators_scale.py

bench-kannel: $(STAMP)
	bash tests/services/start.sh
	$(BIN)/python bench/broadcast_kannel.py

clean:
	rm -rf $(VENV) data
