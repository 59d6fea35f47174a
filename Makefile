# Northstar: two commands.
#   make run    set up .venv, generate the sample and build the warehouse if they are missing, serve the dashboard
#   make test   set up .venv with the test tools and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
SIZE   ?= small

.PHONY: run test data clean-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Sample and warehouse only when missing (honours NORTHSTAR_RAW / NORTHSTAR_CONFIG / NORTHSTAR_DB).
data: $(VENV)/.runtime
	$(BIN)/python -m pipelines sample --size $(SIZE) --if-missing
	$(BIN)/python -m pipelines build --if-missing

run: data
	$(BIN)/streamlit run dashboard.py --server.port $(PORT) --server.address 127.0.0.1 \
		--server.headless true --browser.gatherUsageStats false

test: $(VENV)/.dev
	$(BIN)/python -m pytest

clean-data:
	rm -rf data/raw data/warehouse.duckdb data/warehouse.duckdb.wal
