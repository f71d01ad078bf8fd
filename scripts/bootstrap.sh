#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Set up everything the demo and the tests need, from nothing: a Python 3.11+ virtualenv with the
# pinned requirements, headless Chromium for the HTML report test, and the collection made importable
# as ansible_collections/ctxlic/license_server. Safe to run again: it only does what is missing.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv="$repo/.venv"
py=${CTXLIC_PYTHON:-}
if [ -z "$py" ]; then
  for c in python3.11 python3.12 python3.13 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then py=$c; break; fi
  done
fi
[ -n "$py" ] || { echo "bootstrap: need Python >= 3.11 (set CTXLIC_PYTHON)" >&2; exit 1; }
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$repo/requirements-dev.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: creating $venv with $py" >&2
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$repo/requirements-dev.txt"
  echo "$want" > "$stamp"
fi
# The collection must sit below ansible_collections/<namespace>/<name> for Ansible and Python.
link="$repo/.build/collections/ansible_collections/ctxlic/license_server"
if [ ! -e "$link" ]; then
  mkdir -p "$(dirname "$link")"
  ln -s "$repo" "$link"
fi
# Headless Chromium renders the HTML report in the test suite (Debian package, needs root + apt).
if ! command -v chromium >/dev/null 2>&1 && [ "${CTXLIC_SKIP_CHROMIUM:-0}" != 1 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing chromium (apt)" >&2
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/dev/null 2>&1 \
      || echo "bootstrap: chromium install failed; the browser test will fail" >&2
  else
    echo "bootstrap: chromium missing and cannot be installed here (not root or no apt)" >&2
  fi
fi
