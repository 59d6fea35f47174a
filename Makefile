# Northstar: two commands.
#   make run    set up .venv, generate the sample and build the warehouse if they are missing, serve the dashboard
#   make test   set up .venv with the test tools, lint (ruff, settings in pyproject.toml) and run the test suite
#               (all but the benchmark's smoke tests, marked slow: `make test-slow` runs those, and CI runs both)
#   make bench  the benchmark's smoke tests, then the benchmark at sizes small and medium (LARGE=1 adds the
#               100M-order size): benchmarks/RESULTS.md
# Your own exports: make run RAW=~/exports [CONFIG=~/plan] builds them (every time) into data/own.duckdb and serves
# that; without RAW the sample is used.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
SIZE   ?= small
RAW    ?=
CONFIG ?=
MAX_UPLOAD_MB ?= 200
export NORTHSTAR_MAX_UPLOAD_MB := $(MAX_UPLOAD_MB)

ifneq ($(strip $(RAW)),)
export NORTHSTAR_RAW := $(RAW)
export NORTHSTAR_DB ?= $(CURDIR)/data/own.duckdb
BUILD_FLAGS :=
else
BUILD_FLAGS := --if-missing
endif
ifneq ($(strip $(CONFIG)),)
export NORTHSTAR_CONFIG := $(CONFIG)
endif

.PHONY: run test test-slow data clean-data bench docs-images

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# The sample and its warehouse only when missing; your own exports (RAW=…) are built every time.
# Honours NORTHSTAR_RAW / NORTHSTAR_CONFIG / NORTHSTAR_DB.
data: $(VENV)/.runtime
ifeq ($(strip $(RAW)),)
	$(BIN)/python -m pipelines sample --size $(SIZE) --if-missing
endif
	$(BIN)/python -m pipelines build $(BUILD_FLAGS)

run: data
	$(BIN)/streamlit run dashboard.py --server.port $(PORT) --server.address 127.0.0.1 \
		--server.headless true --browser.gatherUsageStats false --server.maxUploadSize $(MAX_UPLOAD_MB)

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow"

test-slow: $(VENV)/.dev
	$(BIN)/python -m pytest -m slow

# The benchmark (benchmarks/run.py): sizes small and medium, and large with LARGE=1; writes benchmarks/RESULTS.md.
bench: test-slow
	$(BIN)/python -m benchmarks.run $(if $(LARGE),--large,)

# The documentation's pictures (docs/images/), drawn from the sample by the real app in Chromium; commit them.
docs-images: data
	$(BIN)/python docs/images/draw.py

clean-data:
	rm -rf data/raw data/warehouse.duckdb data/warehouse.duckdb.wal
