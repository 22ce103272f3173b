#!/usr/bin/env bash
# Build the Chronos executable with PyInstaller from the project's .venv.
#   scripts/build_exe.sh            one folder: dist/chronos/chronos (the shipped variant)
#   scripts/build_exe.sh --onefile  one file:   dist/chronos-onefile (for comparison)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if ! "$VENV/bin/python" -c "import PyInstaller" 2>/dev/null; then
  "$VENV/bin/pip" install --quiet -e '.[build]'
fi
[[ "${1:-}" == "--onefile" ]] && export CHRONOS_ONEFILE=1
start=$(date +%s)
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN chronos.spec
echo "Built in $(( $(date +%s) - start )) s:" >&2
if [[ "${CHRONOS_ONEFILE:-}" == 1 ]]; then du -sh dist/chronos-onefile >&2; else du -sh dist/chronos >&2; fi
