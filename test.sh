#!/usr/bin/env bash
# Set up if needed, then run the test suite (unit, AppTest pages, browser test when chromium is present).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh --models-only  # the tests make their own small demo corpora
. .venv/bin/activate
python -m pytest -q tests "$@"
