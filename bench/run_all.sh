#!/usr/bin/env bash
# Run the pipeline benchmark matrix in bench/README.md; each run's JSON goes to bench/results/.
# Usage: bench/run_all.sh [MINUTES]   (from the repository root; 20-40 minutes on 2 vCPUs)
# A configuration whose JSON already exists is skipped (delete it to measure again).
# Each configuration waits (up to 60 s) for the machine to be quiet and processes the lecture up
# to twice, keeping the run least disturbed by other processes ("others_cpu_per_wall" in the JSON;
# "clean": true means other processes used under 0.15 of a CPU meanwhile).
set -u
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
MIN=${1:-10}
OUT=${OUT:-bench/results}
mkdir -p "$OUT" bench/out
run() {  # run NAME ARGS...
  local name=$1; shift
  if [ -s "$OUT/$name.json" ]; then echo "== $name: already measured" >&2; return; fi
  echo "== $name: $*" >&2
  "$PY" bench/pipeline.py --minutes "$MIN" --wait-idle 60 --repeats 2 --until-clean \
    --json-out "$OUT/$name.json" "$@" >/dev/null 2>"bench/out/$name.log" \
    || echo "!! $name failed (see bench/out/$name.log)" >&2
}
# The product's own settings (Settings.whisper_beam_size / whisper_threads / whisper_language):
run base-beam5                --model base
run base-beam5-threads2       --model base --threads 2
run base-beam2                --model base --beam-size 2
run base-beam2-threads2       --model base --beam-size 2 --threads 2
run base-beam1                --model base --beam-size 1
run base-beam1-threads2       --model base --beam-size 1 --threads 2
run base-beam1-en             --model base --beam-size 1 --language en
run base-beam1-novad          --model base --beam-size 1 --no-vad
run tinyen-beam5              --model tiny.en
run tinyen-beam5-threads2     --model tiny.en --threads 2
run tinyen-beam1              --model tiny.en --beam-size 1
# Experiments outside the product's settings (BenchTranscriber in bench/pipeline.py):
run base-nowords-beam1        --model base --beam-size 1 --no-word-timestamps
run base-batched8-beam1       --model base --beam-size 1 --batch-size 8
run base-batched8-beam5       --model base --batch-size 8
run base-batched16-beam1      --model base --beam-size 1 --batch-size 16
run base-batched8-beam1-threads2 --model base --beam-size 1 --batch-size 8 --threads 2
run base-batched8-beam1-en-nowords --model base --beam-size 1 --batch-size 8 --language en --no-word-timestamps
