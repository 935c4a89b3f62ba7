#!/usr/bin/env bash
# The test command of the README and of CI: install asia-beacon with its test tools, lint, test.
set -euo pipefail
cd "$(dirname "$0")/.."
# The test tools at the versions tests/constraints.txt pins (known to pass together); the
# program's own dependencies at the newest releases pyproject.toml allows, as a user gets them.
python3 -m pip install --quiet --disable-pip-version-check -c tests/constraints.txt -e '.[test]'
# The official VRS 1.3 JSON schema, which the Beacon genomicVariations model references, ships in
# this package; the tests read the file only (its own dependencies would pin an old jsonschema).
python3 -m pip install --quiet --disable-pip-version-check -c tests/constraints.txt --no-deps ga4gh.vrs
# From Debian's packages, when missing: headless Chromium for the catalog page's browser tests
# (tests/web), and docker-compose 1.29, whose `config` checks deploy/compose.yaml without a Docker
# engine (tests/deploy). Without them (not root, no apt-get) those tests skip and say why.
apt_install() {  # [apt-get options] packages: when root with apt-get; else say what will skip
  local names=() arg
  for arg in "$@"; do [[ $arg == -* ]] || names+=("$arg"); done
  if [ "$(id -u)" -ne 0 ]; then
    echo "tests/run.sh: not root, so no ${names[*]}: their tests will skip" >&2
  elif ! command -v apt-get >/dev/null 2>&1; then
    echo "tests/run.sh: no apt-get, so no ${names[*]}: their tests will skip" >&2
  else
    [ -n "${apt_updated:-}" ] || { apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  apt_install chromium chromium-driver
fi
# docker-compose recommends a whole Docker engine, which `config` does not need
command -v docker-compose >/dev/null 2>&1 || apt_install --no-install-recommends docker-compose
python3 -m ruff check --no-cache .
python3 -m ruff format --no-cache --check .
python3 -m pytest "$@"
