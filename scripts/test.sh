#!/usr/bin/env bash
# Runs every test of wtsadmin.rds on a fresh Linux machine with Python 3.11:
# installs what it needs (Debian's MinGW-w64 for the layout test, a virtual environment with
# ansible-core, ansible-lint, pytest, ...), builds the emulated RD Session Host interpreter, then runs
# ansible-test sanity, ansible-lint, antsibull-changelog lint, the unit tests and the integration targets.
#
#   bash scripts/test.sh              everything
#   bash scripts/test.sh unit         only pytest (unit + integration), for a quick loop
#
# Every stage runs even when an earlier one failed; the exit code is non-zero if any failed.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/_setup.sh
source scripts/_setup.sh

only="${1:-all}"
failed=()

stage() {
    local name="$1"; shift
    echo
    echo "=== stage: $name"
    if "$@"; then
        echo "=== stage $name: ok"
    else
        echo "=== stage $name: FAILED"
        failed+=("$name")
    fi
}

sanity() {
    # ansible-test wants the collection at .../ansible_collections/wtsadmin/rds and a real tree (no symlink).
    local tree="$BUILD/ansible-test/ansible_collections/wtsadmin/rds"
    rm -rf "$BUILD/ansible-test"
    mkdir -p "$tree"
    git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$tree"
    (cd "$tree" && git init -q && git add -A >/dev/null \
        && HOME="$TEST_HOME" "$VENV/bin/ansible-test" sanity --python "$PYVER" --color no)
}

lint() {
    ANSIBLE_COLLECTIONS_PATH="$BUILD/collections" HOME="$TEST_HOME" \
        "$VENV/bin/ansible-lint" --profile production --offline
}

changelog() {
    "$VENV/bin/antsibull-changelog" lint
}

pytests() {
    "$VENV/bin/python" -m pytest -p no:cacheprovider "$@"
}

if [ "$only" = all ]; then
    stage sanity sanity
    stage ansible-lint lint
    stage changelog changelog
fi
stage pytest pytests

echo
if [ "${#failed[@]}" -eq 0 ]; then
    echo "all stages passed"
else
    echo "failed stages: ${failed[*]}"
    exit 1
fi
