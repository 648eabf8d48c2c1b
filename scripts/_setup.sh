# shellcheck shell=bash
# Shared set-up of scripts/test.sh and scripts/demo.sh (sourced, not run).
# Creates .venv with everything the tests need, the emulated RD Session Host interpreter and the
# collection path, each only when missing or out of date, and exports where they are.
ROOT="$(pwd)"
BUILD="$ROOT/.build"
VENV="$ROOT/.venv"
TEST_HOME="$BUILD/home"
EMULATED_HOST="$BUILD/emulated-host"
export RDS_EMULATOR_PYTHON="$EMULATED_HOST/bin/python"
export ANSIBLE_COLLECTIONS_PATH="$BUILD/collections"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# The supported ansible-core versions, each with the controller Python its venv runs on (2.20 and later
# need Python 3.12). The last one is the newest: .venv runs it (the demo, the full suite, sanity and
# lint); every other one gets its own venv under .build/core/ (core_venv below, docs/development.md).
# The first one is the oldest supported: meta/runtime.yml's requires_ansible names it.
CORE_MATRIX=(2.16:3.11 2.17:3.11 2.18:3.11 2.19:3.11 2.20:3.12 2.21:3.12)
CORE_NEWEST="${CORE_MATRIX[-1]%%:*}"

find_python() {  # find_python 3.12: prints the path of an installed Python 3.12; never downloads one
    local want="$1" candidate
    for candidate in "python$want" "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/$want"*/bin/python \
            "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want"*/bin/python "/usr/bin/python$want"; do
        # pyenv's shims answer for every version but run only the selected ones: ask the Python itself.
        "$candidate" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$want'; print(sys.executable)" \
            2>/dev/null && return 0
    done
    echo "Python $want is needed and was not found (looked for python$want on PATH and under the pyenv" \
        "root); install it, or set PYTHON=/path/to/python$want for .venv" >&2
    return 1
}

PYTHON="${PYTHON:-$(find_python "${CORE_MATRIX[-1]##*:}")}" || exit 1
PYVER="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    echo "Python 3.12 or later is needed for ansible-core $CORE_NEWEST (found $PYVER at $PYTHON)" >&2
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

make_venv() {  # make_venv DIR PYTHON STAMP PIP-ARGS...: (re)creates DIR only when STAMP changed
    local dir="$1" python="$2" want="$3"; shift 3
    if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    echo "--- creating $dir"
    rm -rf "$dir"
    "$python" -m venv "$dir" || return 1
    VENV="$dir" pip install -q --upgrade pip && VENV="$dir" pip install -q "$@" || return 1
    echo "$want" > "$dir/.requirements.sha256"
}

setup_venv() {
    make_venv "$VENV" "$PYTHON" \
        "$( (echo "$PYVER"; cat tests/requirements.txt requirements.txt) | sha256sum | cut -d' ' -f1)" \
        -r tests/requirements.txt -r requirements.txt
}

# What .venv has that the older versions' venvs leave out: ansible-core (each venv has its own) and the
# tools that run on the newest only. Everything else of tests/requirements.txt (pytest, hypothesis, the
# libraries tests import) goes into every venv, so a test library added there reaches the whole matrix.
CORE_LEAVES_OUT='ansible-core|ansible-lint|antsibull-changelog|ansible-runner|ansible-builder|ansible-rulebook'

core_venv() {  # core_venv 2.17: prints the venv of that ansible-core, built once and reused
    local version="$1" entry python dir want requirements="$BUILD/core/requirements.txt"
    if [ "$version" = "$CORE_NEWEST" ]; then echo "$VENV"; return 0; fi
    mkdir -p "$BUILD/core"
    # (comments and blank lines dropped too: editing them rebuilds no venv)
    grep -vE "^($CORE_LEAVES_OUT)([^a-zA-Z0-9_.-]|\$)|^[[:space:]]*(#|\$)" tests/requirements.txt > "$requirements"
    for entry in "${CORE_MATRIX[@]}"; do
        [ "${entry%%:*}" = "$version" ] || continue
        python="$(find_python "${entry##*:}")" || return 1
        dir="$BUILD/core/$version"
        want="$( (echo "$version ${entry##*:}"; cat "$requirements" requirements.txt) | sha256sum | cut -d' ' -f1)"
        make_venv "$dir" "$python" "$want" "ansible-core==$version.*" \
            -r "$requirements" -r requirements.txt >&2 || return 1
        echo "$dir"
        return 0
    done
    echo "ansible-core $version is not in the matrix (${CORE_MATRIX[*]%%:*})" >&2
    return 1
}

tools_venv() {  # prints the venv of the release tools (tests/requirements-tools.txt), built once and reused
    make_venv "$BUILD/tools" "$PYTHON" \
        "$( (echo "$PYVER"; cat tests/requirements-tools.txt) | sha256sum | cut -d' ' -f1)" \
        -r tests/requirements-tools.txt >&2 || return 1
    echo "$BUILD/tools"
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
    # give it the same pip from the package registry instead (docs/testing.md, "ansible-test offline").
    local cache="$TEST_HOME/.ansible/test/cache" version
    version="$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" \
        "$VENV"/lib/python*/site-packages/ansible_test/_internal/python_requirements.py | head -n 1)"
    if [ -z "$version" ]; then
        echo "could not tell which pip ansible-test bootstraps (python_requirements.py changed?)" >&2
        return 1
    fi
    mkdir -p "$cache"
    [ -f "$cache/pip-$version-py3-none-any.whl" ] || \
        pip download -q --no-deps -d "$cache" "pip==$version"
    cp scripts/get_pip.py "$cache/get_pip_${version//./_}.py"
}

setup_venv
setup_collection_path
setup_emulated_host
if [ "${RDS_SETUP_FOR:-test}" = test ]; then
    need_debian_package x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
    need_debian_package shellcheck shellcheck
    setup_ansible_test_cache
fi
if [ "${RDS_SETUP_FOR:-test}" != demo ]; then  # ansible-rulebook's rules engine: the EDA test and benchmark
    need_debian_package java openjdk-17-jre-headless
fi
