#!/usr/bin/env bash
# One command: projected-accuracy benchmark (ours vs constant vs 2021 AWS sample vs NannyML CBPE).
# Creates .venv-nannyml (NannyML only, for the CBPE comparison) when missing, then runs the
# benchmark with the project's .venv. Writes benchmarks/results/projection_accuracy.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export NML_DISABLE_USAGE_LOGGING=1
if [ ! -x .venv-nannyml/bin/python ] || ! .venv-nannyml/bin/python -c "import nannyml" 2>/dev/null; then
  echo "creating .venv-nannyml (about 2 minutes)" >&2
  python3 -m venv .venv-nannyml
  .venv-nannyml/bin/pip install --quiet --upgrade pip
  .venv-nannyml/bin/pip install --quiet -r benchmarks/requirements-nannyml.txt
fi
PYTHONPATH=".:common:container${PYTHONPATH:+:$PYTHONPATH}" \
  .venv/bin/python -m benchmarks.projection_accuracy "$@"
