# The course's commands. `make lab` and `make test` are the two a user needs: each creates and
# fills the virtual environment .venv on first use (Python 3.11, 3.12 or 3.13, requirements.txt,
# `pip install -e .`). The first of python3.11, python3.12, python3.13, python3 found is used;
# `make test PYTHON=python3.13 VENV=.venv313` picks another one.
# The other targets run the repository's commands in tools/ (`python -m tools.<name>`, from this
# folder); `utils/` holds only what the chapters import.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test test-measured check-drift slides student autograde refresh timings bench readme tensorboard venv clean help
help:
	@echo "make lab       open the course in JupyterLab (creates .venv on first use)"
	@echo "make test      run every notebook under strict nbval, and the unit tests"
	@echo "make slides    export every chapter as a reveal.js deck into build/slides/ (works offline)"
	@echo "make student   student copies of the chapters (nbgrader: solutions stubbed, hidden checks removed) into build/student/"
	@echo "make autograde SUBMISSIONS=folder  grade submitted chapters with nbgrader: one line per notebook, then the total"
	@echo "make refresh   re-execute notebooks in place (NB=chapters/05_lenet.ipynb for one)"
	@echo "make tensorboard  serve the chapters' TensorBoard logs (build/logs/) at http://127.0.0.1:6006 (PORT=6007 for another)"
	@echo "make bench     time every architecture: Session vs tf.function vs XLA (results in build/bench/)"
	@echo "make readme    rewrite the README chapter table (thumbnails, wall times of the last make test)"
	@echo "make timings   the per-notebook wall-time table of the last test run, for the README"
	@echo "make check-drift  the developers' check that stored outputs pass on other CPUs (see README)"

venv: $(STAMP)
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; ok = (3, 11) <= sys.version_info[:2] <= (3, 13); \
	  ok or sys.exit(f"$(PYTHON) is Python {sys.version.split()[0]}: the course needs 3.11, 3.12 or 3.13 " \
	  "(TensorFlow 2.21 wheels); run e.g. make test PYTHON=python3.12")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install --no-deps -e .
	$(PY) -m tools.env
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab chapters $(if $(filter 0,$(shell id -u)),--allow-root)

# Strict nbval (outputs compared) on every chapter, plus the unit tests. Options common to every
# pytest run (current env kernel, sanitize file, timings) are in pyproject.toml.
test: $(STAMP)
	$(PY) -m pytest --nbval chapters tests

# The chapters whose outputs hold measured values (printed with a band, e.g. "0.896 ±0.02").
MEASURED := $(shell grep -l ' ±[0-9]' chapters/*.ipynb)

# Those chapters under a non-default setting, e.g. `make test-measured ISA=AVX2` (oneDNN limited to
# AVX2 kernels, as on an older CPU) or `make test-measured CPUS=0` (one core): what another machine
# computes, on this one. CI runs it after `make test`.
ISA  ?=
CPUS ?=
test-measured: $(STAMP)
	$(if $(ISA),ONEDNN_MAX_CPU_ISA=$(ISA)) $(if $(CPUS),taskset -c $(CPUS)) $(PY) -m pytest -p no:cacheprovider --nbval $(MEASURED)

# The developers' check of the exact/measured rule, both ways (about 30 minutes on 2 cores):
# 1. the stored outputs (made with the default settings) pass with AVX2 kernels and on one core;
# 2. outputs stored under AVX2 (in a copy, build/drift/) pass under the default settings.
check-drift: $(STAMP)
	$(MAKE) test-measured ISA=AVX2
	$(MAKE) test-measured CPUS=0
	rm -rf build/drift && mkdir -p build/drift && cp $(MEASURED) build/drift/
	ONEDNN_MAX_CPU_ISA=AVX2 $(PY) -m tools.refresh build/drift
	$(PY) -m pytest -p no:cacheprovider --nbval build/drift

slides: $(STAMP)
	$(PY) -m tools.slides chapters build/slides

# nbgrader (tools/grading.py): the chapters are the source assignments.
student: $(STAMP)
	$(PY) -m tools.student build/student

SUBMISSIONS ?=
autograde: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "make autograde SUBMISSIONS=<folder of submitted chapter notebooks>"; exit 2; }
	$(PY) -m tools.autograde $(SUBMISSIONS)

refresh: $(STAMP)
	$(PY) -m tools.refresh $(or $(NB),chapters)

# TensorBoard on the logs the chapters write into build/logs/<chapter>/<run>/ (run a chapter first:
# 01 writes graphs, 04 training curves). Listens on this machine only (127.0.0.1); build/logs is
# created if missing, so TensorBoard starts even before any chapter ran. Ctrl-C stops it.
PORT ?= 6006
tensorboard: $(STAMP)
	@mkdir -p build/logs
	@echo "TensorBoard: open http://127.0.0.1:$(PORT)/ (serving build/logs/, created if missing; Ctrl-C to stop)"
	$(VENV)/bin/tensorboard --logdir build/logs --host 127.0.0.1 --port $(PORT)

bench: $(STAMP)
	$(PY) -m tools.bench --out build/bench

readme: $(STAMP)
	$(PY) -m tools.readme

timings: $(STAMP)
	$(PY) -m tools.report_durations build/test-durations.json

clean:
	rm -rf build .pytest_cache
