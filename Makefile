# The project's command surface. `make run` and `make test` set everything up on a fresh machine
# (only Python 3.11 and make needed) and are the two commands the README names.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
TOOLS := .venv-tools
CHECKOV := .venv-checkov
PY := $(VENV)/bin/python
REQUIREMENTS := requirements/dev.txt container/requirements.txt workflow/requirements.txt \
	lambdas/merge_labels/requirements.txt lambdas/evaluate_violations/requirements.txt \
	lambdas/retraining/requirements.txt \
	lambdas/trend_report/requirements.txt

export SAGEMAKER_SUPPRESS_V2_WARNING := 1
export SAM_CLI_TELEMETRY := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck build unit browser render bench-monitor bench-false-alarms bench-merge bench-projection \
	bench-performance clean

## run: the offline end-to-end run (the main job)
run: $(VENV)/.installed
	$(PY) -m workflow.offline.run

## test: every gate CI runs: linters, template validation, the stale-ASL check, the SAM
## build of the Lambdas (with their size limit), all tests
test: lint typecheck build unit

lint: $(VENV)/.installed $(TOOLS)/.installed $(CHECKOV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m workflow.render --check
	$(VENV)/bin/cfn-lint template.yaml
	AWS_DEFAULT_REGION=us-east-1 $(TOOLS)/bin/sam validate --lint --template template.yaml
	$(CHECKOV)/bin/checkov --file template.yaml --framework cloudformation --compact --quiet \
		--skip-download

## typecheck: mypy on the deployables (common, container, lambdas, workflow), zero errors
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# What `sam deploy` uploads: the functions' dependencies resolved for the Lambda runtime's
# platform (this is what catches a wheel the python3.11 runtime cannot load), and each
# function with its layer under Lambda's 250 MB unzipped limit.
LAMBDA_UNZIPPED_LIMIT_MB := 250
build: $(TOOLS)/.installed
	$(TOOLS)/bin/sam build --template-file template.yaml --build-dir .aws-sam/build \
		--cache-dir .aws-sam/cache --cached
	@layer=$$(du -sm .aws-sam/build/SharedCodeLayer | cut -f1); \
	for function in .aws-sam/build/*Function; do \
		total=$$(( $$(du -sm $$function | cut -f1) + layer )); \
		echo "$$function + layer: $$total MB unzipped (limit $(LAMBDA_UNZIPPED_LIMIT_MB) MB)"; \
		test $$total -lt $(LAMBDA_UNZIPPED_LIMIT_MB) || exit 1; \
	done

# One worker per core; a test file stays on one worker, so a module's fixture (the offline
# demo run) is built once.
unit: $(VENV)/.installed browser
	$(VENV)/bin/pytest -n auto --dist loadfile

## browser: Debian's chromium for the browser tests, installed when missing and root (else
## those tests are skipped with a message saying so)
browser:
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 && command -v apt-get >/dev/null && \
		{ apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
		  { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }; }; } || \
		echo "chromium could not be installed (needs root and apt-get): the browser tests will be skipped"

## render: regenerate workflow/statemachine.asl.json from workflow/definition.py
render: $(VENV)/.installed
	$(PY) -m workflow.render

bench-monitor: $(VENV)/.installed
	$(PY) -m benchmarks.monitor_speed
bench-false-alarms: $(VENV)/.installed
	$(PY) -m benchmarks.false_alarms
bench-merge: $(VENV)/.installed
	$(PY) -m benchmarks.merge_throughput
bench-performance: $(VENV)/.installed
	$(PY) -m benchmarks.performance_speed
bench-projection: $(VENV)/.installed
	bash benchmarks/projection_accuracy.sh

# The project itself is installed only for its console script (`drift-monitor`); no deps.
$(VENV)/.installed: $(REQUIREMENTS) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(TOOLS)/.installed: requirements/tools.txt
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet -r requirements/tools.txt
	touch $@

# checkov exits 1 on any failed check; skips live in template.yaml, each with its reason.
# --skip-download: no call to the vendor's API (guidelines), the scan is local.
$(CHECKOV)/.installed: requirements/checkov.txt
	test -x $(CHECKOV)/bin/python || $(PYTHON) -m venv $(CHECKOV)
	$(CHECKOV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV)/bin/python -m pip install --quiet -r requirements/checkov.txt
	touch $@

clean:
	rm -rf $(VENV) $(TOOLS) $(CHECKOV) output .pytest_cache .ruff_cache
