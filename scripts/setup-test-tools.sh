#!/usr/bin/env bash
# Installs the third-party tools some tests drive (the OpenAPI test validates
# /openapi.json and generates a Python client from it) into a virtualenv, at
# pinned versions. Idempotent: a second run with the same pins does nothing.
#
# Usage: scripts/setup-test-tools.sh [VENV_DIR]
#   VENV_DIR defaults to $REDOUBT_TEST_TOOLS, else ~/.cache/redoubt/test-tools.
# Then put VENV_DIR/bin first on PATH for `cargo test` (.ci/run does).
set -euo pipefail

venv="${1:-${REDOUBT_TEST_TOOLS:-$HOME/.cache/redoubt/test-tools}}"
pins=(
  "openapi-spec-validator==0.9.0"
  "openapi-python-client==0.29.1"
)
stamp="$venv/.redoubt-pins"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${pins[*]}" ] && [ -x "$venv/bin/openapi-python-client" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
printf '%s' "${pins[*]}" >"$stamp"
echo "test tools installed in $venv/bin"
