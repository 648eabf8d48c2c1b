#!/usr/bin/env bash
# Runs every test of wtsadmin.rds on a fresh Linux machine with Python 3.12 and 3.11 (found on PATH or
# under the pyenv root, never downloaded): installs what it needs (Debian's MinGW-w64 for the layout test,
# a virtual environment per ansible-core version), builds the emulated RD Session Host interpreter, then
# runs the stages below, each printing its duration. docs/testing.md describes them.
#
#   bash scripts/test.sh                              everything (what CI runs)
#   bash scripts/test.sh unit                         only the full pytest suite, on the newest ansible-core
#   bash scripts/test.sh STAGE                        one stage: sanity, ansible-lint, changelog, docs
#                                                     (docs-lint and docs-site), galaxy, matrix
#   bash scripts/test.sh core 2.19 [PYTEST-ARGS...]   one ansible-core of the matrix alone: the focused
#                                                     suite, or the tests given (docs/development.md)
#
# Every stage runs even when an earlier one failed; the exit code is non-zero if any failed.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/_setup.sh
source scripts/_setup.sh

only="${1:-all}"
failed=()
started=$SECONDS

# The focused suite each older ansible-core runs (the newest runs everything): the execution path (the
# action base, payload and runner, the WinRM transport), one module of each kind (a read-only one with the
# ad-hoc smoke test, one that changes sessions, one that waits), the inventory plugin and the roles.
# A path that no longer exists fails the stage loudly (pytest: "file or directory not found").
CORE_FOCUSED=(
    tests/unit/plugins/plugin_utils
    tests/unit/plugins/module_utils/test__runner.py
    tests/unit/plugins/inventory
    "tests/integration/test_targets.py::test_integration_target[win_rds_session_info]"
    "tests/integration/test_targets.py::test_integration_target[win_rds_session]"
    "tests/integration/test_targets.py::test_integration_target[win_rds_wait]"
    "tests/integration/test_targets.py::test_integration_target[inventory_rds_servers]"
    "tests/integration/test_targets.py::test_integration_target[rds_drain]"
    "tests/integration/test_targets.py::test_integration_target[rds_session_cleanup]"
)

stage() {
    local name="$1" start=$SECONDS; shift
    echo
    echo "=== stage: $name"
    if "$@"; then
        echo "=== stage $name: ok ($((SECONDS - start)) s)"
    else
        echo "=== stage $name: FAILED ($((SECONDS - start)) s)"
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

pytests() {  # the full suite (pytest.ini's testpaths) on the newest ansible-core
    "$VENV/bin/python" -m pytest -p no:cacheprovider
}

docs_lint() {  # the plugins' own documentation, as Ansible's docs pipeline reads it
    local tools
    tools="$(tools_venv)" || return 1
    (cd "$BUILD/collections/ansible_collections/wtsadmin/rds" \
        && PATH="$tools/bin:$PATH" antsibull-docs lint-collection-docs --plugin-docs .)
}

docs_site() {  # the documentation site into .build/docs/html (docs/site/conf.py says what goes in)
    local tools src="$BUILD/docs/src"
    tools="$(tools_venv)" || return 1
    rm -rf "$BUILD/docs"
    mkdir -p "$src/collections"
    chmod go-w "$src/collections"  # antsibull-docs writes only into a directory nobody else may write to
    cp docs/site/conf.py docs/site/index.rst "$src/"
    # The guides at their repository paths, with every other file of the repository that is no page of
    # its own beside them, so that a guide's link to a playbook or an example resolves (as a download).
    { git ls-files -z --cached --others --exclude-standard -- README.md ':(glob)docs/*.md' \
        ':(glob)roles/*/README.md'
      git ls-files -z --cached --others --exclude-standard -- ':!:*.md' ':!:*.rst' ':!:docs/site/*'
    } | xargs -0 cp --parents -t "$src"
    PATH="$tools/bin:$PATH" antsibull-docs --config-file docs/site/antsibull-docs.cfg collection \
        --use-current --fail-on-error --dest-dir "$src" wtsadmin.rds >/dev/null || return 1
    "$tools/bin/sphinx-build" -q -W --keep-going -b html "$src" "$BUILD/docs/html" || return 1
    RDS_DOCS_SITE="$BUILD/docs/html" "$tools/bin/python" -m pytest -p no:cacheprovider -q tests/docs
}

galaxy() {  # the release tarball: contents, changelog, galaxy-importer, install and demo
    local tools
    tools="$(tools_venv)" || return 1
    "$tools/bin/python" -m pytest -p no:cacheprovider -q tests/release
}

core() {  # core 2.17 [PYTEST-ARGS...]: the focused suite (or the given tests) on that ansible-core
    local version="$1" venv about; shift
    venv="$(core_venv "$version")" || return 1
    [ "$#" -gt 0 ] || set -- -q "${CORE_FOCUSED[@]}"
    about="$("$venv/bin/ansible" --version)" || return 1  # (all of it: a pipe into head breaks 2.16's output)
    echo "${about%%$'\n'*}"
    "$venv/bin/python" -m pytest -p no:cacheprovider "$@"
}

matrix() {  # the focused suite on every ansible-core but the newest, one stage each
    local entry
    for entry in "${CORE_MATRIX[@]}"; do
        [ "${entry%%:*}" = "$CORE_NEWEST" ] || stage "ansible-core ${entry%%:*}" core "${entry%%:*}"
    done
}

full_suite_beside_matrix() {  # the full suite and the matrix each keep one of the two cores busy: the
    # full suite runs in the background and its output is shown, with its own duration, after the matrix
    local name="pytest (ansible-core $CORE_NEWEST, full suite)" log="$BUILD/full-suite.log" start=$SECONDS pid
    (pytests; rc=$?; echo "$((SECONDS - start))" > "$log.seconds"; exit "$rc") > "$log" 2>&1 &
    pid=$!
    matrix
    echo
    echo "=== stage: $name (ran beside the matrix)"
    if wait "$pid"; then
        cat "$log"; echo "=== stage $name: ok ($(cat "$log.seconds") s)"
    else
        cat "$log"; echo "=== stage $name: FAILED ($(cat "$log.seconds") s)"
        failed+=("$name")
    fi
}

prepare_venvs() {  # builds the tools' and the older versions' venvs in the background (pip waits on the
    # network and the disk while sanity keeps the CPUs busy); venvs_ready waits for them before first use
    local entry
    (
        start=$SECONDS
        tools_venv >/dev/null
        for entry in "${CORE_MATRIX[@]}"; do core_venv "${entry%%:*}" >/dev/null; done
        echo "--- venvs of the release tools and of ansible-core ${CORE_MATRIX[*]%%:*} ready ($((SECONDS - start)) s)"
    ) > "$BUILD/venvs.log" 2>&1 &
    venvs_pid=$!
}

venvs_ready() {
    wait "$venvs_pid"
    cat "$BUILD/venvs.log"
}

case "$only" in
    all)
        prepare_venvs
        stage sanity sanity
        stage ansible-lint lint
        stage changelog changelog
        venvs_ready
        stage docs-lint docs_lint
        stage docs-site docs_site
        stage galaxy galaxy
        full_suite_beside_matrix
        ;;
    unit) stage "pytest (ansible-core $CORE_NEWEST, full suite)" pytests ;;
    sanity) stage sanity sanity ;;
    ansible-lint) stage ansible-lint lint ;;
    changelog) stage changelog changelog ;;
    docs) stage docs-lint docs_lint; stage docs-site docs_site ;;
    galaxy) stage galaxy galaxy ;;
    matrix) matrix ;;
    core)
        [ "$#" -ge 2 ] || { echo "usage: bash scripts/test.sh core VERSION [PYTEST-ARGS...]" >&2; exit 2; }
        shift
        stage "ansible-core $1" core "$@"
        ;;
    *) echo "unknown stage '$only' (see the head of scripts/test.sh)" >&2; exit 2 ;;
esac

echo
echo "total: $((SECONDS - started)) s"
if [ "${#failed[@]}" -eq 0 ]; then
    echo "all stages passed"
else
    echo "failed stages: ${failed[*]}"
    exit 1
fi
