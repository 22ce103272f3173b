#!/usr/bin/env bash
# Run the benchmark matrix reported in bench/README.md; each run's JSON goes to bench/results/.
# Usage: bench/run_all.sh [MINUTES]   (from the repository root; takes about half an hour)
set -u
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
MIN=${1:-10}
OUT=bench/results
mkdir -p "$OUT" bench/out
run() {  # run NAME ARGS...
  local name=$1; shift
  echo "== $name: $*" >&2
  "$PY" bench/pipeline.py --minutes "$MIN" --wait-idle 300 --repeats 3 --until-clean --json-out "$OUT/$name.json" "$@" \
    >/dev/null 2>"bench/out/$name.log" || echo "!! $name failed (see bench/out/$name.log)" >&2
}
run base-beam5            --model base
run tinyen-beam5          --model tiny.en
run base-beam1            --model base --beam-size 1
run base-beam5-threads2   --model base --threads 2
run base-beam1-threads2   --model base --beam-size 1 --threads 2
run base-beam1-novad      --model base --beam-size 1 --no-vad
run base-beam1-en         --model base --beam-size 1 --language en
run base-beam2            --model base --beam-size 2
run tinyen-beam1          --model tiny.en --beam-size 1
# Experiments outside the product's settings (BenchTranscriber):
run x-base-beam1-nowords  --model base --beam-size 1 --no-word-timestamps
run x-base-batch8-beam1   --model base --beam-size 1 --batch-size 8
run x-base-batch8-beam5   --model base --batch-size 8
