# Two commands set up a fresh machine (see README.md): `make demo` and `make test`.
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# make demo PORT=8001 serves elsewhere; make demo RESET=1 starts the demo again from nothing
PORT ?= 8000
RESET ?=

.PHONY: demo test install

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[all]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/hustings demo --port $(PORT) $(if $(RESET),--reset)

test: $(STAMP)
	bash scripts/test
