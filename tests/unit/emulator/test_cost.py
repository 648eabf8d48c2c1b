"""An emulated call costs the same on any size of farm, so that benchmarks measure the collection.

Work, not time, is asserted: a call that changes nothing but the call counters neither re-reads nor
rewrites the state (file mode) nor walks the farm to fill in defaults (memory mode), and a call that does
change the state is seen by other processes as before (test_persistence.py).
"""

from __future__ import annotations

import json
import os

import pytest
import rds_emulator
from rds_emulator import state as st

WTSUserName = 5


def big_farm(sessions):
    state = rds_emulator.sample_state()
    server = state["servers"]["RDSH01"]
    server["sessions"] += [rds_emulator.make_session(100 + n, user="user%d" % n, domain="CONTOSO")
                           for n in range(sessions)]
    return state


@pytest.fixture
def counted(monkeypatch):
    """How often the whole state is normalized, parsed and written."""
    counts = {"normalize": 0, "load": 0, "save": 0}
    for name in counts:
        original = getattr(st, name)

        def counting(*args, _name=name, _original=original, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(st, name, counting)
    return counts


def query_users(win, handle, session_ids):
    return [win.query(handle, session_id, WTSUserName)[0] for session_id in session_ids]


def test_memory_mode_fills_in_defaults_once_not_per_call(win, emulator, counted):
    emulator.replace_state(big_farm(200))
    counted.update(normalize=0)
    handle = win.open_server("RDSH01")
    assert all(query_users(win, handle, range(100, 300)))
    win.wtsapi32.WTSCloseServer(handle)
    assert counted["normalize"] == 1


def test_memory_mode_fills_in_defaults_after_the_test_changes_the_state(win, emulator):
    sessions = emulator.state["servers"]["RDSH01"]["sessions"]
    sessions.append({"id": 77, "user": "late"})  # no defaults: the next call fills them in
    handle = win.open_server("RDSH01")
    ok, _error, data = win.query(handle, 77, WTSUserName)
    win.wtsapi32.WTSCloseServer(handle)
    assert ok and data.decode("utf-16-le").rstrip("\0") == "late"
    assert emulator.session("RDSH01", 77)["state"] == "active"


def test_file_mode_reads_and_writes_the_state_only_when_it_changes(win_file, emulator_file, counted):
    emulator_file.replace_state(big_farm(200))
    counted.update(normalize=0, load=0, save=0)
    handle = win_file.open_server("RDSH01")
    assert all(query_users(win_file, handle, range(100, 300)))
    assert counted == {"normalize": 1, "load": 1, "save": 0}  # 201 calls: one parse, no write
    assert win_file.wtsapi32.WTSDisconnectSession(handle, 150, 0)
    assert counted["save"] == 1 and counted["load"] == 1  # a change is saved; our own save is not re-read
    win_file.wtsapi32.WTSCloseServer(handle)
    assert emulator_file.calls["WTSQuerySessionInformationW"] == 200
    assert emulator_file.calls["WTSDisconnectSession"] == 1


def test_file_mode_sees_counters_and_changes_of_other_processes(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(rds_emulator.sample_state()), encoding="utf-8")
    here, there = rds_emulator.Emulator(str(path)), rds_emulator.Emulator(str(path))
    with here.edit() as state:
        state["calls"]["WTSOpenServerW"] = 1
    assert there.calls["WTSOpenServerW"] == 1
    with there.edit() as state:  # `there` saves: `here` must parse the file again
        state["servers"]["RDSH01"]["sessions"][2]["user"] = "renamed"
    assert here.session("RDSH01", 2)["user"] == "renamed"
    st.journal(str(path), {"function": "WTSOpenServerW", "mutation": None})  # a counted call elsewhere
    assert here.calls["WTSOpenServerW"] == 2 and there.calls["WTSOpenServerW"] == 2


def test_save_counters_folds_the_journal_into_the_state_file(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(rds_emulator.sample_state()), encoding="utf-8")
    emulator = rds_emulator.Emulator(str(path))
    st.journal(str(path), {"function": "WTSOpenServerW", "mutation": None})
    emulator.save_counters()
    assert json.loads(path.read_text(encoding="utf-8"))["calls"] == {"WTSOpenServerW": 1}
    assert os.path.getsize(str(path) + ".calls") == 0


def test_an_undeclared_state_change_is_reported(win, emulator, monkeypatch):
    from rds_emulator.dll import EXPORTS
    spec = EXPORTS["wtsapi32"]["WTSQuerySessionInformationW"]
    original = spec.impl

    def changing(call, *raw):
        call.state["servers"]["RDSH01"]["domain"] = "CHANGED"
        return original(call, *raw)

    monkeypatch.setattr(spec, "impl", changing)
    monkeypatch.setattr(emulator, "_check_writes", True)
    handle = win.open_server("RDSH01")
    win.query(handle, 2, WTSUserName)
    win.wtsapi32.WTSCloseServer(handle)
    problems = emulator.clear_problems()
    assert any("WTSQuerySessionInformationW changed the state" in problem for problem in problems)
