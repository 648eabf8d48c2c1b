# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_session_events: session lists diffed into events, and the host loop on the emulated host."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import rds_emulator

from ansible_collections.wtsadmin.rds.plugins.module_utils._session_events import (
    SESSION_EVENTS,
    SessionWatcher,
    watch,
)
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import module_payload, program, task_message

ENTRY = "ansible_collections.wtsadmin.rds.plugins.module_utils._session_events"


def session(session_id, user="alice", state="active", locked=False, idle=0, disconnected=None,
            logon_time="2026-03-14T07:55:00Z"):
    return {"session_id": session_id, "user": "CONTOSO\\%s" % user if user else None, "state": state,
            "session_name": "RDP-Tcp#%d" % session_id, "client_name": "PC%d" % session_id,
            "client_address": "10.0.0.%d" % session_id, "logon_time": logon_time if user else None,
            "locked": locked, "idle_seconds": idle, "disconnected_seconds": disconnected}


def kinds(events):
    return [(event["type"], event["session_id"]) for event in events]


# the diff

def test_the_sessions_present_at_the_first_list_are_known_without_events():
    watcher = SessionWatcher()
    assert watcher.update([session(2), session(3, state="disconnected")]) == []
    assert set(watcher.state()) == {"2", "3"}


def test_logon_logoff_connect_disconnect_reconnect_lock_and_unlock():
    watcher = SessionWatcher()
    watcher.update([session(2), session(3, state="disconnected")])
    events = watcher.update([session(2, locked=True), session(3, state="active"), session(4, user=None, state="connected"),
                             session(5)], ["logon"])
    assert kinds(events) == [("lock", 2), ("reconnect", 3), ("connect", 4), ("logon", 5)]
    assert all(event["windows_events"] == ["logon"] for event in events)
    events = watcher.update([session(2, locked=False, state="disconnected"), session(4, user="bob")])
    assert kinds(events) == [("disconnect", 2), ("unlock", 2), ("logon", 4), ("logoff", 3), ("logoff", 5)]
    logoff = events[3]
    assert (logoff["user"], logoff["state_before"], logoff["state_after"]) == ("CONTOSO\\alice", "active", None)
    assert kinds(watcher.update([session(2, state="disconnected")])) == [("logoff", 4)]
    assert kinds(watcher.update([])) == [("logoff", 2)]


def test_a_session_without_a_user_that_ends_is_a_disconnect():
    watcher = SessionWatcher()
    watcher.update([session(4, user=None, state="connected")])
    assert kinds(watcher.update([])) == [("disconnect", 4)]


def test_a_reused_session_id_is_a_logoff_then_a_logon():
    watcher = SessionWatcher()
    watcher.update([session(2)])
    events = watcher.update([session(2, user="bob", logon_time="2026-03-14T09:00:00Z")])
    assert [(event["type"], event["user"]) for event in events] == [("logoff", "CONTOSO\\alice"), ("logon", "CONTOSO\\bob")]


def test_an_unknown_lock_state_gives_no_lock_events():
    watcher = SessionWatcher()
    watcher.update([session(2, locked=None)])
    assert watcher.update([session(2, locked=True)]) == []


def test_thresholds_fire_once_per_crossing_also_at_the_start():
    watcher = SessionWatcher(idle_threshold=600, disconnected_threshold=7200)
    events = watcher.update([session(2, idle=900), session(3, state="disconnected", idle=8000, disconnected=8000),
                             session(4, idle=10)])
    assert kinds(events) == [("idle", 2), ("disconnected_long", 3)]
    assert watcher.update([session(2, idle=960), session(3, state="disconnected", disconnected=8060),
                           session(4, idle=70)]) == []
    events = watcher.update([session(2, idle=3), session(3, state="disconnected", disconnected=8120),
                             session(4, idle=700)])
    assert kinds(events) == [("idle_end", 2), ("idle", 4)]
    assert events[0]["idle_seconds"] == 3


def test_a_baseline_carries_the_known_sessions_and_crossings_over_a_reconnect():
    first = SessionWatcher(disconnected_threshold=60)
    first.update([session(2), session(3, state="disconnected", disconnected=100)])
    baseline = json.loads(json.dumps(first.state()))  # as it travels: JSON, IDs as text
    second = SessionWatcher(disconnected_threshold=60, baseline=baseline)
    events = second.update([session(3, state="disconnected", disconnected=200), session(6)])
    assert kinds(events) == [("logon", 6), ("logoff", 2)]  # no second disconnected_long for 3


# the loop on the emulated host

def farm(emulator, sessions, events=()):
    state = rds_emulator.empty_state()
    state["servers"]["RDSH01"] = rds_emulator.make_server(sessions, events=list(events))
    emulator.replace_state(state)


def user_session(session_id, name, state="active"):
    return rds_emulator.make_session(session_id, station="RDP-Tcp#%d" % session_id, state=state, user=name,
                                     domain="CONTOSO")


class Enough(Exception):
    pass


def run_watch(params, done):
    """Run the loop until ``done(lines)`` holds for the lines it wrote (the write that follows raises to end it)."""
    lines = []

    def write(line):
        if done(lines):
            raise Enough()
        lines.append(json.loads(json.dumps(line)))

    with pytest.raises(Enough):
        watch(dict({"events": list(SESSION_EVENTS), "poll_interval": 0.2, "idle_threshold": None,
                    "disconnected_threshold": None, "baseline": None}, **params), write)
    return lines


def test_the_loop_streams_scripted_windows_events_as_session_events(emulator):
    farm(emulator, [user_session(2, "alice")], [  # a second apart: each one is listed before the next (no coalescing)
        rds_emulator.make_event(0.1, ["logon", "create"], add_session=user_session(3, "bob")),
        rds_emulator.make_event(1.0, ["disconnect", "statechange"], session_id=3, set={"state": "disconnected"}),
        rds_emulator.make_event(1.0, ["logoff", "delete"], session_id=3, remove=True),
    ])
    lines = run_watch({}, lambda lines: any(line.get("event", {}).get("type") == "logoff" for line in lines))
    events = [line["event"] for line in lines if "event" in line]
    assert [(event["type"], event["user"], event["state_before"], event["state_after"]) for event in events] == [
        ("logon", "CONTOSO\\bob", None, "active"),
        ("disconnect", "CONTOSO\\bob", "active", "disconnected"),
        ("logoff", "CONTOSO\\bob", "disconnected", None)]
    assert events[0]["windows_events"] == ["create", "logon"]
    assert all(event["host_time"].endswith("Z") for event in events)
    assert lines[0]["hello"] == {"sessions": 1}
    states = [line["state"] for line in lines if "state" in line]
    assert set(states[0]) == {"2"} and {"2", "3"} in [set(state) for state in states]
    assert emulator.calls["WTSWaitSystemEvent"] >= 3


def test_the_loop_sends_only_the_events_asked_for(emulator):
    farm(emulator, [user_session(2, "alice")], [
        rds_emulator.make_event(0.1, ["logon"], add_session=user_session(3, "bob")),
        rds_emulator.make_event(1.0, ["logoff"], session_id=3, remove=True),
    ])
    lines = run_watch({"events": ["logoff"]}, lambda lines: any("event" in line for line in lines))
    assert [line["event"]["type"] for line in lines if "event" in line] == ["logoff"]


def test_the_loop_ends_by_itself_when_nobody_reads_its_output(tmp_path, emulated_python):
    """The state line is the heartbeat: once the reader closed the pipe, writing it fails and Python exits."""
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(rds_emulator.sample_state()), encoding="utf-8")
    task = task_message({"events": list(SESSION_EVENTS), "poll_interval": 0.2, "idle_threshold": None,
                         "disconnected_threshold": None, "baseline": None})
    host = subprocess.Popen([emulated_python, "-E", "-s", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, RDS_EMULATOR_STATE=str(state_file)))
    host.stdin.write(program(module_payload(ENTRY), task))
    host.stdin.close()
    first = json.loads(host.stdout.readline())
    assert first["hello"] == {"sessions": 7}, first
    host.stdout.close()
    assert host.wait(timeout=60) == 0, host.stderr.read()
