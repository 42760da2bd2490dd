# Softmax Lab: the two commands a fresh machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8501

.PHONY: run test lint bench chromium nginx clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

## make run: create the environment and start the app on 127.0.0.1 with a sample loaded
run: $(VENV)/.installed
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

## Debian's chromium for the browser tests (Playwright cannot download its own browsers here)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

## Debian's nginx for the test of the shipped reverse-proxy example (deploy/nginx/)
nginx:
	@[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nginx-light; }

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## make test: the environment, test tools, chromium, nginx, lint, then the whole suite (browser tests included)
test: $(VENV)/.dev-installed chromium nginx lint
	$(PY) -m pytest -q

## make bench: the benchmark figures quoted in the README (not part of make test)
bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV)
