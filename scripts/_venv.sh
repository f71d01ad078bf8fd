# shellcheck shell=bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Sourced by bootstrap.sh, docs_venv.sh and galaxy_importer.sh: the one way this repo makes a virtualenv from
# a requirements file. A virtualenv is (re)built only when it is missing or the requirements file changed
# (its SHA-256 is kept in <venv>/.requirements.sha256); --clear drops the packages of the old pins.

# find_python LABEL: the first Python >= 3.11 on PATH (or $CTXLIC_PYTHON); exits naming LABEL when none.
find_python() {
  local c
  if [ -n "${CTXLIC_PYTHON:-}" ]; then echo "$CTXLIC_PYTHON"; return; fi
  for c in python3.11 python3.12 python3.13 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
      echo "$c"; return
    fi
  done
  echo "$1: need Python >= 3.11 (set CTXLIC_PYTHON)" >&2
  exit 1
}

# ensure_venv LABEL PYTHON VENV REQUIREMENTS [PROGRAM]: VENV holds exactly REQUIREMENTS' pins (PROGRAM, default
# python, must exist in VENV/bin).
ensure_venv() {
  local label=$1 py=$2 venv=$3 requirements=$4 program=${5:-python} stamp want
  [ -n "$py" ] || exit 1  # find_python said why
  stamp="$venv/.requirements.sha256"
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ ! -x "$venv/bin/$program" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "$label: creating $venv with $py ($(basename "$requirements"))" >&2
    "$py" -m venv --clear "$venv" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" >&2
    echo "$want" > "$stamp"
  fi
}
