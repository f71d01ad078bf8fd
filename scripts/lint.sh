#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Static quality gates for the collection, run from the repository root:
#   1. ruff check .                         (Python lint; config in pyproject.toml)
#   2. ansible-lint                         (production profile; config in .ansible-lint)
#   3. ansible-doc on every module stub     (must render, and have EXAMPLES and RETURN)
#   4. antsibull-docs lint-collection-docs --plugin-docs
#                                           (module and role docs: schema, markup, references, rstcheck of the
#                                           rendered pages; antsibull-docs from .build/docs-venv, scripts/docs_venv.sh)
#   5. antsibull-changelog lint             (changelog fragments)
#   6. mypy                                 (plugins/, config [tool.mypy] in pyproject.toml; covers every module
#                                           under plugins/, action/ and plugin_utils/lab/ included)
# Every gate runs even when an earlier one fails; the exit status is non-zero when any failed.
#
# Usage: scripts/lint.sh      Environment: VENV (default <repo>/.venv);
#                             CTXLIC_MYPY_STRICT (default 1: mypy errors fail lint.sh; 0 only reports them, for a
#                             local run in the middle of a change)
CTXLIC_MYPY_STRICT="${CTXLIC_MYPY_STRICT:-1}"
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
# ansible-lint runs ansible-playbook/ansible-galaxy from PATH and warns when the venv is not on it.
export PATH="$VENV/bin:$PATH"

if [[ ! -x "$PY" ]]; then
    echo "lint.sh: $PY not found; create the virtualenv first" >&2
    exit 2
fi

failed=()
gate() {
    local name="$1"
    shift
    echo "==> [$name] $*"
    if "$@"; then
        echo "==> [$name] passed"
    else
        echo "==> [$name] FAILED" >&2
        failed+=("$name")
    fi
}

cd "$REPO" || exit 2

gate ruff "$VENV/bin/ruff" check .
gate ansible-lint "$VENV/bin/ansible-lint" --profile production -c "$REPO/.ansible-lint"

# ansible-doc needs the repo below ansible_collections/<namespace>/<name>; tests/conftest.py makes the
# same link for pytest.
read -r NAMESPACE NAME < <("$PY" - "$REPO/galaxy.yml" <<'EOF'
import sys, yaml
with open(sys.argv[1], encoding="utf-8") as handle:
    galaxy = yaml.safe_load(handle)
print(galaxy["namespace"], galaxy["name"])
EOF
)
COLLECTIONS="$REPO/.build/collections"
LINK="$COLLECTIONS/ansible_collections/$NAMESPACE/$NAME"
if [[ ! -e "$LINK" ]]; then
    mkdir -p "$(dirname "$LINK")"
    ln -s "$REPO" "$LINK"
fi

check_module_docs() {
    ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" "$PY" - "$REPO" "$NAMESPACE.$NAME" "$VENV/bin/ansible-doc" <<'EOF'
"""Render every module's documentation with ansible-doc; fail on errors or missing EXAMPLES/RETURN."""
import json
import subprocess
import sys
from pathlib import Path

import yaml

repo, collection, ansible_doc = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
modules = sorted(p.stem for p in (repo / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
problems = []


def run(*args):
    return subprocess.run([ansible_doc, "-t", "module", *args], capture_output=True, text=True, check=False)


def stderr_problem(result):
    bad = [line for line in result.stderr.splitlines() if "ERROR" in line or "not found" in line or "parse" in line]
    return "; ".join(bad)


def check(fqcn):
    rendered = run(fqcn)
    if rendered.returncode != 0 or not rendered.stdout.strip() or stderr_problem(rendered):
        detail = stderr_problem(rendered) or rendered.stderr.strip() or "no output"
        return [f"{fqcn}: ansible-doc did not render (rc {rendered.returncode}): {detail}"]
    as_json = run("--json", fqcn)
    try:
        data = json.loads(as_json.stdout).get(fqcn) or {}
    except json.JSONDecodeError as exc:
        return [f"{fqcn}: ansible-doc --json output is not JSON ({exc}): {as_json.stderr.strip()}"]
    found = []
    doc = data.get("doc") or {}
    if not doc.get("short_description") or not doc.get("description"):
        found.append(f"{fqcn}: DOCUMENTATION lacks short_description or description")
    if not data.get("return"):
        found.append(f"{fqcn}: RETURN is missing or empty")
    examples = data.get("examples") or ""
    if not examples.strip():
        found.append(f"{fqcn}: EXAMPLES is missing or empty")
        return found
    try:
        tasks = yaml.safe_load(examples)
    except yaml.YAMLError as exc:
        return [*found, f"{fqcn}: EXAMPLES is not valid YAML: {exc}"]
    if not isinstance(tasks, list) or not tasks:
        found.append(f"{fqcn}: EXAMPLES must be a YAML list of tasks")
    elif not any(fqcn in task for task in tasks if isinstance(task, dict)):
        found.append(f"{fqcn}: no EXAMPLES task uses the module by its FQCN {fqcn}")
    return found


for module in modules:
    fqcn = f"{collection}.{module}"
    found = check(fqcn)
    problems.extend(found)
    print(f"    {fqcn}: {'problems' if found else 'ok'}")

if not modules:
    print("    no modules in plugins/modules")
for problem in problems:
    print(f"ERROR: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
}
gate ansible-doc check_module_docs

antsibull_lint() {
    local antsibull
    antsibull="$(VENV="$VENV" "$REPO/scripts/docs_venv.sh")" || return 1
    # antsibull-docs runs the ansible and ansible-doc found on PATH: those of $VENV (exported above).
    ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" "$antsibull" lint-collection-docs --plugin-docs "$REPO"
}
gate antsibull-docs antsibull_lint
gate changelog "$VENV/bin/antsibull-changelog" lint

run_mypy() {
    # mypy checks the package through the .build/collections link; its messages name the files as plugins/...
    "$VENV/bin/mypy" 2>&1 | sed "s#^\.build/collections/ansible_collections/$NAMESPACE/$NAME/##"
    local status=${PIPESTATUS[0]}
    if ((status != 0)) && [[ "$CTXLIC_MYPY_STRICT" != 1 ]]; then
        echo "==> [mypy] errors above do not fail lint.sh (CTXLIC_MYPY_STRICT=$CTXLIC_MYPY_STRICT; the default, 1, fails)"
        return 0
    fi
    return "$status"
}
gate mypy run_mypy

if ((${#failed[@]})); then
    echo "lint.sh: FAILED gates: ${failed[*]}" >&2
    exit 1
fi
echo "lint.sh: all gates passed"
