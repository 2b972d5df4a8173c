#!/usr/bin/env bash
# Idempotent set-up: venv, torch (CPU) first, requirements, system packages for browser tests,
# then the default data (converted e5 model, demo corpus, indexes; with --models-only just the model, as the
# tests need). A second run skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
step() { printf '\n\033[1m[JobLens 설정] %s\033[0m\n' "$*"; }

if [ ! -x .venv/bin/python ]; then
  step "가상환경 생성 (.venv)"
  "$PY" -m venv .venv
fi
. .venv/bin/activate
mkdir -p data
stamp=data/.requirements.stamp
# uv installs in ~25 s what pip takes ~200 s for (torch: 13 s against pip's 31 s; measured on this 2-core
# machine); it reads no pip.conf, so it gets pip's own indexes, local wheel folders and constraints (without them it
# would take PyPI's CUDA torch where pip is pointed at a CPU index). pip is the fallback. --compile-bytecode: uv
# writes none by default, so every process of a fresh clone's first run (test workers, the app's server, Ray's
# workers) compiled transformers, streamlit and the rest from source, the same modules at once (a fresh clone's
# first suite run took ~160 s longer than its second)
uv_args=()
uv_arguments() {  # pip's indexes, local wheel folders and constraints, for uv; read on the first install only
  local value pip_config
  # every file and variable pip reads, listed once (`pip config get` reads one file only)
  pip_config=$(python -m pip config list 2>/dev/null || true)
  pip_setting() { sed -n "s/^\(global\|:env:\)\.$1='\(.*\)'\$/\2/p" <<< "$pip_config"; }
  for value in $(pip_setting index-url); do uv_args+=(--index-url "$value"); done
  for value in $(pip_setting extra-index-url); do
    { [[ "$value" == http* ]] || [ -e "${value#file://}" ]; } && uv_args+=(--extra-index-url "$value")
  done
  for value in $(pip_setting find-links); do
    { [[ "$value" == http* ]] || [ -e "$value" ]; } && uv_args+=(--find-links "$value")
  done
  for value in $(pip_setting constraint); do [ -f "$value" ] && uv_args+=(--constraint "$value"); done
  uv_args+=(--index-strategy unsafe-best-match --compile-bytecode)
}
install() {
  [ ${#uv_args[@]} -gt 0 ] || uv_arguments
  if ! { { python -m uv --version 2>/dev/null | grep "0.13.8" >/dev/null || python -m pip install -q uv==0.13.8; } \
         && python -m uv pip install --python "$(command -v python)" "${uv_args[@]}" "$@"; }; then
    echo "uv 설치가 되지 않아 pip로 설치합니다."
    python -m pip install "$@"
  fi
}
if ! python -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  step "PyTorch 2.13.0 (CPU) 설치 — 다른 패키지보다 먼저"
  install torch==2.13.0
fi
kernels=""
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
  step "Python 패키지 설치 (requirements.txt)"
  install -r requirements.txt
  touch "$stamp"
  step "평가 지표 커널 컴파일 (ranx · numba, 설치 후 한 번; 다음 단계와 함께)"
  # in the background, beside the model step (both mostly one core): ~28 s that the model step hides
  python -c "from core.evaluation.metrics import compile_kernels; compile_kernels()" &
  kernels=$!
  trap 'kill "$kernels" 2>/dev/null || true' EXIT  # a failed or interrupted set-up leaves no compile running
fi
# grep reads fc-list to the end (not -q): under pipefail, fc-list killed by grep -q's early exit failed the test at
# random (exit 141), and set-up reinstalled the packages through apt-get on runs that had them all
if [ "${JOBLENS_SYSTEM_PACKAGES:-1}" = "1" ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list 2>/dev/null | grep -i "noto sans cjk" >/dev/null; }; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    step "브라우저 테스트용 시스템 패키지 (chromium, chromium-driver, fonts-noto-cjk, fonts-noto-color-emoji)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji >/dev/null
  else
    echo "chromium/chromedriver/fonts-noto-cjk 없음 (root가 아니어서 설치 생략): 브라우저 테스트는 건너뜁니다."
  fi
fi
if [ "${1:-}" = "--models-only" ]; then
  step "모델 준비 (e5 변환 · 검증)"
else
  step "기본 데이터 준비 (e5 모델 변환 · 데모 코퍼스 · 색인)"
fi
python -m core setup "$@"
if [ -n "$kernels" ]; then
  wait "$kernels" || echo "평가 지표 커널을 미리 컴파일하지 못했습니다: 첫 평가 때 컴파일됩니다."
  trap - EXIT
fi
