#!/usr/bin/env bash
# Set up if needed, then run the test suite (unit, AppTest pages, browser test when chromium is present).
set -euo pipefail
cd "$(dirname "$0")"
# where PYTHONDONTWRITEBYTECODE is set (this workplace's machines set it), set-up and every process the suite
# starts (two workers, the app's server, Ray's workers, each CLI run) compiled torch, transformers and the rest
# from source: ~15 s of imports instead of ~9 s. Their bytecode goes to __pycache__ (git ignores it), written once
unset PYTHONDONTWRITEBYTECODE
bash scripts/setup.sh --models-only  # the tests make their own small demo corpora
. .venv/bin/activate
# two workers, each taking whole files (a file's module fixtures, such as the browser test's server, stay in one):
# on two cores one worker's waits (a browser, a server, Ray starting) are the other's CPU time
python -m pytest -q -n 2 --dist loadfile tests "$@"
