#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The documentation tool's own virtualenv, .build/docs-venv, with the pins of requirements-docs.txt
# (antsibull-docs and what it needs). It is kept apart from .venv because antsibull-docs' Sphinx needs an older
# docutils and another PyYAML than .venv pins (see requirements-docs.txt). Safe to run again: it only does what is
# missing, and rebuilds the virtualenv when requirements-docs.txt changed.
#
# Called by scripts/test.sh, scripts/lint.sh and scripts/build_docs.py. Prints the path of antsibull-docs.
# Environment: VENV (default <repo>/.venv; its Python creates the new virtualenv), DOCS_VENV (default
# <repo>/.build/docs-venv).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="${VENV:-$repo/.venv}"
docs_venv="${DOCS_VENV:-$repo/.build/docs-venv}"
requirements="$repo/requirements-docs.txt"
py="$venv/bin/python"
[ -x "$py" ] || { echo "docs_venv: $py not found; run scripts/bootstrap.sh first" >&2; exit 2; }
stamp="$docs_venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$docs_venv/bin/antsibull-docs" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "docs_venv: creating $docs_venv (requirements-docs.txt)" >&2
  # --clear: a changed requirements file gets a fresh environment, without packages of the old pins.
  "$py" -m venv --clear "$docs_venv" >&2
  "$docs_venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" >&2
  echo "$want" > "$stamp"
fi
echo "$docs_venv/bin/antsibull-docs"
