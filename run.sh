#!/usr/bin/env bash
# Set up if needed, then serve the dashboard on the demo corpus: http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
. .venv/bin/activate
exec python serve.py --server.port "${PORT:-8501}" --server.headless true "$@"
