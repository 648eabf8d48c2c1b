#!/usr/bin/env bash
# The rds_servers inventory with real ansible-inventory runs (--list, --graph), discovering through a
# loopback WinRM endpoint (tests/wsman) whose commands run the emulated RD Session Host's Python.
# Needs ANSIBLE_COLLECTIONS_PATH, RDS_EMULATOR_PYTHON (the preloaded interpreter) and RDS_TEST_PYTHON (the
# test venv's Python, with pywinrm). Exits non-zero at the first failed check.
set -eu -o pipefail

: "${ANSIBLE_COLLECTIONS_PATH:?}" "${RDS_EMULATOR_PYTHON:?}" "${RDS_TEST_PYTHON:?}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
files="$here/files"
bin="$(dirname "$RDS_TEST_PYTHON")"
work="$(mktemp -d)"
server_pid=""

cleanup() {
    [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAILED: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# --- the emulated farm and the loopback endpoint ------------------------------------------------------

export RDS_EMULATOR_STATE="$work/state.json"
edit_state() {  # edit_state PYTHON-STATEMENTS: rewrite the farm, starting from the sample farm (`state`)
    "$RDS_TEST_PYTHON" - "$root/tests/emulator" "$RDS_EMULATOR_STATE" "$1" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[1])
import rds_emulator
state = rds_emulator.sample_state()
exec(sys.argv[3])
with open(sys.argv[2], "w") as f:
    json.dump(state, f)
EOF
}
edit_state "pass"

password='Loopback-Pa55!'
"$RDS_TEST_PYTHON" "$root/tests/wsman/wsman_loopback.py" --username rdsadmin --password "$password" \
    --port-file "$work/port" --command-log "$work/commands" >/dev/null &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "the loopback WinRM endpoint did not start"
touch "$work/commands"

WTSADMIN_RDS_WINRM_PORT="$(cat "$work/port")"
export WTSADMIN_RDS_WINRM_PORT
export WTSADMIN_RDS_USERNAME=rdsadmin
export WTSADMIN_RDS_PASSWORD="$password"
export WTSADMIN_RDS_PYTHON_INTERPRETER="$RDS_EMULATOR_PYTHON"
export ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true  # a source that fails makes ansible-inventory fail
export ANSIBLE_NOCOLOR=1

inventory() {  # inventory CONFIG ARGS...: ansible-inventory; stdout -> $work/out, stderr -> $work/err
    "$bin/ansible-inventory" -i "$files/$1" "${@:2}" >"$work/out" 2>"$work/err"
}
commands_run() { wc -l <"$work/commands"; }
said() {  # said TEXT FILE...: TEXT is in the files however the display wrapped it (ansible-core before 2.19
    # wraps warnings at 79 columns, also inside a word): compared with all whitespace taken out
    cat "${@:2}" | tr -d '[:space:]' | grep -qF -- "$(printf '%s' "$1" | tr -d '[:space:]')"
}
expect_failure() {  # expect_failure WHAT CONFIG: must fail, say WHAT, show no traceback and no password
    if inventory "$2" --list; then fail "$2 should have failed ($1)"; fi
    said "$1" "$work/err" || { cat "$work/err" >&2; fail "$2: the error does not say '$1'"; }
    ! grep -q "Traceback" "$work/err" || fail "$2: a traceback was shown"
    ! said "$WTSADMIN_RDS_PASSWORD" "$work/err" "$work/out" || fail "$2: the password was shown"
}
check_list() {  # check_list PYTHON-ASSERTIONS: over `inv` (the --list JSON) and `state` (the farm)
    "$RDS_TEST_PYTHON" - "$work/out" "$RDS_EMULATOR_STATE" "$1" <<'EOF'
import json, sys
def plain(value):  # ansible-inventory marks values from inventory plugins as unsafe
    if isinstance(value, dict):
        return value["__ansible_unsafe"] if set(value) == {"__ansible_unsafe"} else {k: plain(v) for k, v in value.items()}
    return [plain(v) for v in value] if isinstance(value, list) else value
inv = plain(json.load(open(sys.argv[1])))
state = json.load(open(sys.argv[2]))
hostvars = inv["_meta"]["hostvars"]
def hosts(group):
    return sorted(inv.get(group, {}).get("hosts", []))
session_hosts = [e for e in state["browser"]["entries"] if e["type"] & 0x02000000 and e["domain"] == "CONTOSO"]
exec(sys.argv[3])
EOF
}

# --- discovery: --list and --graph --------------------------------------------------------------------

inventory farm.rds_servers.yml --list || { cat "$work/err" >&2; fail "farm --list"; }
check_list '
discovered = sorted(e["name"].lower() + ".contoso.com" for e in session_hosts)
assert discovered, "the sample farm has session hosts"
assert sorted(hostvars) == sorted(discovered + ["rdsh09.contoso.com"]), sorted(hostvars)
for entry in session_hosts:
    v = hostvars[entry["name"].lower() + ".contoso.com"]
    assert v["rds_version"] == "%d.%d" % (entry["version_major"], entry["version_minor"]), v
    assert v["rds_platform"] == "nt" and "terminal_server" in v["rds_server_types"], v
    assert v["rds_source"] == "netserverenum" and v["ansible_connection"] == "winrm", v
    assert "windows_%d_%d" % (entry["version_major"], entry["version_minor"]) in inv, sorted(inv)
assert hostvars["rdsh09.contoso.com"]["rds_source"] == "static"
assert hosts("session_hosts") == discovered and hosts("source_static") == ["rdsh09.contoso.com"]
for v in hostvars.values():
    assert "rdsadmin" not in json.dumps(v) and "Pa55" not in json.dumps(v), v
'
[ "$(commands_run)" -eq 1 ] || fail "farm --list should run exactly one WinRM command"
ok "--list discovers the session hosts with their variables and groups, one WinRM command"

inventory farm.rds_servers.yml --graph || fail "farm --graph"
if ! grep -q -- "--@session_hosts:" "$work/out" || ! grep -q "rdsh09.contoso.com" "$work/out"; then
    cat "$work/out" >&2
    fail "--graph does not show the groups and hosts"
fi
ok "--graph shows the groups"

# --- static servers only: nothing is contacted -------------------------------------------------------

before="$(commands_run)"
inventory static.rds_servers.yml --list || { cat "$work/err" >&2; fail "static --list"; }
check_list 'assert sorted(hostvars) == ["rdsh01", "rdsh02", "rdsh03"] and hosts("source_static") == sorted(hostvars)'
[ "$(commands_run)" -eq "$before" ] || fail "a static-only inventory ran a WinRM command"
ok "static servers alone need no discovery host"

# --- cache: the second run makes no WinRM call -------------------------------------------------------

export ANSIBLE_INVENTORY_CACHE_CONNECTION="$work/cache"
before="$(commands_run)"
inventory cached.rds_servers.yml --list || { cat "$work/err" >&2; fail "cached --list (1)"; }
cp "$work/out" "$work/first"
inventory cached.rds_servers.yml --list || { cat "$work/err" >&2; fail "cached --list (2)"; }
cmp -s "$work/first" "$work/out" || fail "the cached inventory differs from the discovered one"
[ "$(commands_run)" -eq $((before + 1)) ] || fail "the cached inventory asked the discovery host again"
! grep -rq -e "$WTSADMIN_RDS_PASSWORD" -e rdsadmin "$work/cache" || fail "credentials were cached"
# ansible-playbook --flush-cache: ansible-inventory has the option only from ansible-core 2.19 on
printf -- '- hosts: all\n  gather_facts: false\n  tasks: []\n' >"$work/play.yml"
"$bin/ansible-playbook" -i "$files/cached.rds_servers.yml" --flush-cache --list-hosts "$work/play.yml" >"$work/out" \
    2>"$work/err" || { cat "$work/err" >&2; fail "cached --flush-cache"; }
[ "$(commands_run)" -eq $((before + 2)) ] || fail "--flush-cache did not ask the discovery host again"
unset ANSIBLE_INVENTORY_CACHE_CONNECTION
ok "cache hit without a WinRM call, no credentials in the cache, --flush-cache asks again"

# --- failures: clear errors, no traceback, no password -----------------------------------------------

WTSADMIN_RDS_PASSWORD='Wrong-Pa55!' expect_failure "rejected the credentials of rdsadmin" farm.rds_servers.yml
ok "a wrong password is a clear error"

closed_port="$("$RDS_TEST_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
WTSADMIN_RDS_WINRM_PORT="$closed_port" expect_failure "Cannot reach the discovery host's WinRM" farm.rds_servers.yml
ok "a closed port is a clear error"

WTSADMIN_RDS_PYTHON_INTERPRETER=/nonexistent/python3 expect_failure "set python_interpreter" farm.rds_servers.yml
ok "no Python on the discovery host is a clear error"

edit_state 'state["browser"]["available"] = False'
expect_failure "6118" farm.rds_servers.yml
if ! said "Computer Browser" "$work/err" || ! said "static_servers" "$work/err"; then
    fail "the 6118 error does not say what to do"
fi
ok "no Computer Browser (6118) says what to do"

edit_state 'state["browser"]["more_data"] = True'
inventory farm.rds_servers.yml --list || { cat "$work/err" >&2; fail "partial list --list"; }
said "partial list" "$work/err" || fail "a partial list gave no warning"
check_list 'assert 0 < len([h for h, v in hostvars.items() if v["rds_source"] == "netserverenum"]) < len(session_hosts)'
ok "a partial list (ERROR_MORE_DATA) is used with a warning"

echo "inventory_rds_servers: all checks passed"
