# shellcheck shell=bash
# Shared set-up of scripts/test.sh and scripts/demo.sh (sourced, not run).
# Creates .venv with everything the tests need, the emulated RD Session Host interpreter and the
# collection path, each only when missing or out of date, and exports where they are.
ROOT="$(pwd)"
BUILD="$ROOT/.build"
VENV="$ROOT/.venv"
TEST_HOME="$BUILD/home"
EMULATED_HOST="$BUILD/emulated-host"
PYTHON="${PYTHON:-python3}"
export RDS_EMULATOR_PYTHON="$EMULATED_HOST/bin/python"
export ANSIBLE_COLLECTIONS_PATH="$BUILD/collections"
export PIP_DISABLE_PIP_VERSION_CHECK=1

PYVER="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Python 3.11 or later is needed (found $PYVER at $PYTHON); set PYTHON=/path/to/python3.11" >&2
    exit 1
fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_debian_package() {  # need_debian_package COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "--- installing Debian package $2 (for $1)"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

pip() {  # pip, without the warnings this machine's pip configuration prints about absent local indexes
    "$VENV/bin/python" -m pip "$@" 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
}

setup_venv() {
    local stamp="$VENV/.requirements.sha256" want
    want="$(cat tests/requirements.txt requirements.txt | sha256sum | cut -d' ' -f1)"
    if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "--- creating $VENV"
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
        pip install -q --upgrade pip
        pip install -q -r tests/requirements.txt -r requirements.txt
        echo "$want" > "$stamp"
    fi
}

setup_collection_path() {
    mkdir -p "$BUILD/collections/ansible_collections/wtsadmin"
    ln -sfn "$ROOT" "$BUILD/collections/ansible_collections/wtsadmin/rds"
}

setup_emulated_host() {
    "$VENV/bin/python" tests/emulator/make_interpreter.py "$EMULATED_HOST" >/dev/null
}

setup_ansible_test_cache() {
    # ansible-test bootstraps pip in its sanity venvs from a download this network cannot reach;
    # give it the same pip from the package registry instead (DESIGN.md section 7).
    local cache="$TEST_HOME/.ansible/test/cache"
    mkdir -p "$cache"
    [ -f "$cache/pip-24.2-py3-none-any.whl" ] || \
        pip download -q --no-deps -d "$cache" pip==24.2
    cp scripts/get_pip_24_2.py "$cache/get_pip_24_2.py"
}

setup_venv
setup_collection_path
setup_emulated_host
if [ "${RDS_SETUP_FOR:-test}" = test ]; then
    need_debian_package x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
    need_debian_package shellcheck shellcheck
    setup_ansible_test_cache
fi
