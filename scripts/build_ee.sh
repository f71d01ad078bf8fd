#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Build the execution environment (EE) image for AWX / Ansible Automation Platform; see
# docs/execution_environment.md.
#   1. ansible-galaxy collection build  -> .build/ee/ctxlic-license_server.tar.gz, the file requirements.yml
#      installs (execution-environment.yml copies it into the build context);
#   2. ansible-builder create            -> the build context in .build/ee/context (Containerfile, _build/);
#   3. ansible-builder build             -> the image, with podman or docker (skipped with --create-only).
#
# Usage: scripts/build_ee.sh [--create-only] [--tag IMAGE[:TAG]] [-- extra ansible-builder build arguments]
# Environment: EE_BASE_IMAGE (replaces the base image, passed as --build-arg), CONTAINER_RUNTIME (podman or
#              docker; default: whichever is installed, podman first), VENV (default <repo>/.venv).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$repo/.venv}
out="$repo/.build/ee"
context="$out/context"
create_only=0
tag=""
while [ $# -gt 0 ]; do
  case "$1" in
    --create-only) create_only=1; shift ;;
    --tag) tag=${2:?--tag needs a value}; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "build_ee.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in ansible-galaxy ansible-builder; do
  [ -x "$venv/bin/$tool" ] || { echo "build_ee.sh: $venv/bin/$tool missing; run scripts/bootstrap.sh" >&2; exit 2; }
done

# A fresh directory each time, so a stale tarball is never copied into the image.
rm -rf "$out"
mkdir -p "$out/dist"
"$venv/bin/ansible-galaxy" collection build --force --output-path "$out/dist" "$repo"
built=("$out"/dist/ctxlic-license_server-*.tar.gz)
[ "${#built[@]}" -eq 1 ] && [ -f "${built[0]}" ] || { echo "build_ee.sh: expected one collection tarball in $out/dist" >&2; exit 1; }
mv "${built[0]}" "$out/ctxlic-license_server.tar.gz"

runtime=${CONTAINER_RUNTIME:-}
if [ -z "$runtime" ]; then
  for candidate in podman docker; do
    if command -v "$candidate" >/dev/null 2>&1; then runtime=$candidate; break; fi
  done
fi
# ansible-builder names the file after the runtime (Containerfile for podman, Dockerfile for docker).
output_file=Containerfile
[ "$runtime" = docker ] && output_file=Dockerfile
"$venv/bin/ansible-builder" create --file "$repo/execution-environment.yml" --context "$context" \
  --output-filename "$output_file"
echo "build_ee.sh: build context in $context"

if [ "$create_only" = 1 ]; then
  exit 0
fi
if [ -z "$runtime" ]; then
  echo "build_ee.sh: no container engine (podman or docker) found; build the context above elsewhere, or pass --create-only" >&2
  exit 1
fi
args=(--file "$repo/execution-environment.yml" --context "$context" --container-runtime "$runtime")
[ -n "$tag" ] && args+=(--tag "$tag")
[ -n "${EE_BASE_IMAGE:-}" ] && args+=(--build-arg "EE_BASE_IMAGE=$EE_BASE_IMAGE")
"$venv/bin/ansible-builder" build "${args[@]}" "$@"
