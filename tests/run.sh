#!/usr/bin/env bash
# The test command of the README and of CI: install asia-beacon with its test tools, lint, test.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
# The official VRS 1.3 JSON schema, which the Beacon genomicVariations model references, ships in
# this package; the tests read the file only (its own dependencies would pin an old jsonschema).
python3 -m pip install --quiet --disable-pip-version-check --no-deps 'ga4gh.vrs==0.8.5'
# Headless Chromium for the catalog page's browser tests (tests/web), from Debian's packages.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "tests/run.sh: no chromium/chromedriver and not root: browser tests will skip" >&2
  elif ! command -v apt-get >/dev/null 2>&1; then
    echo "tests/run.sh: no chromium/chromedriver and no apt-get: browser tests will skip" >&2
  else
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
python3 -m ruff check --no-cache .
python3 -m ruff format --no-cache --check .
python3 -m pytest "$@"
