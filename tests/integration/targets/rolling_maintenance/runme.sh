#!/usr/bin/env bash
# playbooks/rolling_maintenance.yml against a farm of emulated RD Session Hosts (rds_emulator.farm: one state
# file and interpreter per host): every host drained, emptied, patched, rebooted and enabled again, two at a
# time; then a farm where too few hosts accept logons, which the playbook leaves untouched; then a host whose
# reboot is refused, which stays drained and stops the run.
# Needs ANSIBLE_COLLECTIONS_PATH, RDS_EMULATOR_PYTHON, RDS_TEST_PYTHON and RDS_TEST_TMP.
set -eu -o pipefail

: "${ANSIBLE_COLLECTIONS_PATH:?}" "${RDS_EMULATOR_PYTHON:?}" "${RDS_TEST_PYTHON:?}" "${RDS_TEST_TMP:?}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
bin="$(dirname "$RDS_TEST_PYTHON")"

farm() {  # farm DIRECTORY 'HOST=MODE ...': writes the farm and DIRECTORY/inventory.json
    mkdir -p "$1"
    "$RDS_TEST_PYTHON" - "$root/tests/emulator" "$RDS_EMULATOR_PYTHON" "$1" "$2" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from rds_emulator import farm
modes = dict(pair.split("=") for pair in sys.argv[4].split())
with open(sys.argv[3] + "/inventory.json", "w") as handle:
    json.dump(farm.write_farm(sys.argv[3], sys.argv[2], modes), handle)
PY
}

check() {  # check DIRECTORY PYTHON-ASSERTIONS (host(name) is the state of a host after the run)
    "$RDS_TEST_PYTHON" - "$root/tests/emulator" "$1" "$2" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from rds_emulator import farm, logons
def host(name):
    return farm.read_host(sys.argv[2], name)
def mode(name):
    return logons.logon_mode(host(name)["servers"][name])
def switches(name):
    return [call["args"]["switch"] for call in host(name)["mutating_calls"] if call["function"] == "chglogon.exe"]
exec(sys.argv[3])
PY
}

# --- four hosts, two at a time ----------------------------------------------------------------------------
work="$RDS_TEST_TMP/farm"
farm "$work" "RDSH11=enabled RDSH12=enabled RDSH13=enabled RDSH14=enabled"
"$bin/ansible-playbook" -i "$work/inventory.json" "$root/playbooks/rolling_maintenance.yml" \
    -e rds_maintenance_batch=2 -e rds_maintenance_grace_minutes=0.05 \
    -e rds_maintenance_patch_tasks="$here/files/patch.yml" \
    -e rds_maintenance_reboot_delay=0 -e rds_maintenance_reboot_poll=1 | tee "$work/run.log"
check "$work" '
for name in ("RDSH11", "RDSH12", "RDSH13", "RDSH14"):
    state = host(name)["servers"][name]
    assert switches(name) == ["/drain", "/enable"], (name, switches(name))
    assert mode(name) == "enabled", name
    assert state["boots"] == 1 and state["shutdown"]["flag"] == "reboot", name
    assert not [s for s in state["sessions"] if s["user"]], name
import os
assert sorted(f for f in os.listdir(sys.argv[2] + "/..") if f.startswith("patched-")) == [
    "patched-rdsh11", "patched-rdsh12", "patched-rdsh13", "patched-rdsh14"]
print("ok: four hosts maintained, two at a time")
'
grep -q "PLAY \[Maintain the farm a batch of hosts at a time\]" "$work/run.log"
[ "$(grep -c "TASK \[Refuse new logons" "$work/run.log")" -eq 2 ] || { echo "FAILED: expected two batches" >&2; exit 1; }

# --- too few hosts accept logons: nothing is touched ----------------------------------------------------
work="$RDS_TEST_TMP/short-farm"
farm "$work" "RDSH21=enabled RDSH22=drain RDSH23=drain_until_restart"
if "$bin/ansible-playbook" -i "$work/inventory.json" "$root/playbooks/rolling_maintenance.yml" \
    -e rds_maintenance_grace_minutes=0.05 -e rds_maintenance_reboot_delay=0 > "$work/run.log"; then
    cat "$work/run.log"; echo "FAILED: the run should have stopped" >&2; exit 1
fi
grep -q "Only 0 host(s) outside this batch accept new logons" "$work/run.log" || { cat "$work/run.log"; exit 1; }
check "$work" '
for name in ("RDSH21", "RDSH22", "RDSH23"):
    assert switches(name) == [], name
    assert host(name)["servers"][name]["boots"] == 0, name
assert [mode(n) for n in ("RDSH21", "RDSH22", "RDSH23")] == ["enabled", "drain", "drain_until_restart"]
print("ok: a farm with too few hosts accepting logons is left alone")
'

# --- a host that fails stays drained and stops the run before the next batch ------------------------------
work="$RDS_TEST_TMP/failing-farm"
farm "$work" "RDSH41=enabled RDSH42=enabled RDSH43=enabled"
"$RDS_TEST_PYTHON" - "$work/RDSH41.json" <<'PY'
import json, sys
with open(sys.argv[1]) as handle:
    state = json.load(handle)
state["faults"] = [{"function": "WTSShutdownSystem", "error": 5, "times": 1}]  # the reboot is refused
with open(sys.argv[1], "w") as handle:
    json.dump(state, handle)
PY
if "$bin/ansible-playbook" -i "$work/inventory.json" "$root/playbooks/rolling_maintenance.yml" \
    -e rds_maintenance_grace_minutes=0.05 -e rds_maintenance_reboot_delay=0 > "$work/run.log"; then
    cat "$work/run.log"; echo "FAILED: the run should have stopped at the failed host" >&2; exit 1
fi
check "$work" '
assert switches("RDSH41") == ["/drain"] and mode("RDSH41") == "drain"  # left drained: nobody lands on it
for name in ("RDSH42", "RDSH43"):
    assert switches(name) == [] and mode(name) == "enabled", name  # the next batches never started
print("ok: a failed host stays drained and stops the run")
'
