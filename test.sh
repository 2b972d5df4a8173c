#!/usr/bin/env bash
# Set up if needed, then run the test suite (unit, AppTest pages, browser test when chromium is present).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh --models-only  # the tests make their own small demo corpora
. .venv/bin/activate
# two workers, each taking whole files (a file's module fixtures, such as the browser test's server, stay in one):
# on two cores one worker's waits (a browser, a server, Ray starting) are the other's CPU time
python -m pytest -q -n 2 --dist loadfile tests "$@"
