#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Set up everything the demo and the tests need, from nothing: a Python 3.11+ virtualenv with the
# pinned requirements, headless Chromium for the HTML report test, and the collection made importable
# as ansible_collections/ctxlic/license_server. Safe to run again: it only does what is missing.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv="$repo/.venv"
# shellcheck source=scripts/_venv.sh
source "$repo/scripts/_venv.sh"
ensure_venv bootstrap "$(find_python bootstrap)" "$venv" "$repo/requirements-dev.txt"
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
