"""A state file is one host for several processes: changes, call counters and faults are shared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

EMULATOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                            "emulator")

CHILD = textwrap.dedent("""
    import ctypes, sys
    from ctypes import c_int32, c_uint32, c_void_p
    sys.path.insert(0, sys.argv[1])
    import rds_emulator
    emu = rds_emulator.install(sys.argv[2])
    wts = ctypes.WinDLL("wtsapi32", use_last_error=True)
    wts.WTSDisconnectSession.argtypes = [c_void_p, c_uint32, c_int32]
    wts.WTSDisconnectSession.restype = c_int32
    results = [wts.WTSDisconnectSession(None, session_id, 0) for session_id in (2, 4)]
    print(results, ctypes.get_last_error())
""")


def run_child(emulator_file):
    done = subprocess.run([sys.executable, "-c", CHILD, EMULATOR_DIR, emulator_file.path], capture_output=True,
                          text=True, check=True, timeout=60)
    return done.stdout.strip()


def test_changes_made_by_another_process_are_seen_here(emulator_file):
    assert run_child(emulator_file) == "[1, 1] 0"
    assert emulator_file.session("RDSH01", 2)["state"] == "disconnected"
    assert emulator_file.calls["WTSDisconnectSession"] == 2
    assert [call["args"]["SessionId"] for call in emulator_file.mutating_calls] == [2, 4]


def test_changes_made_here_are_seen_by_another_process(emulator_file):
    with emulator_file.edit() as state:
        state["servers"]["RDSH01"]["sessions"] = [s for s in state["servers"]["RDSH01"]["sessions"] if s["id"] != 4]
    assert run_child(emulator_file) == "[1, 0] 7022"


def test_faults_in_the_file_fire_in_another_process_once(emulator_file):
    emulator_file.inject("WTSDisconnectSession", 5, session_id=2)
    assert run_child(emulator_file) == "[0, 1] 5"  # success leaves the last error alone
    assert emulator_file.state["faults"] == []
    assert emulator_file.session("RDSH01", 2)["state"] == "active"


def test_state_file_stays_plain_json(emulator_file):
    run_child(emulator_file)
    with open(emulator_file.path, encoding="utf-8") as handle:
        assert json.load(handle)["calls"] == {"WTSDisconnectSession": 2}


def test_counters_can_be_reset_between_phases(emulator_file):
    run_child(emulator_file)
    emulator_file.reset_counters()
    assert emulator_file.calls == {} and emulator_file.mutating_calls == []
