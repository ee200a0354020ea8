# Two commands for a newcomer: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: install run test bench seed model clean

install: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

seed: install
	$(PY) -m analysis seed

# --seed: the sample goes into an empty store beside the server's start (ui/launch.py)
run: install
	MALLOC_ARENA_MAX=2 $(PY) -m ui.launch --seed run app.py --server.address localhost --server.port 8501

test: install
	$(PY) -m pytest

bench: install
	$(PY) bench/run.py

model: install
	$(PY) -m analysis train

clean:
	rm -rf $(VENV) data .pytest_cache
