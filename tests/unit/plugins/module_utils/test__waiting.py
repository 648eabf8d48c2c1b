# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_waiting: the conditions, and waiting for events or conditions on the emulated host, with a timeout."""

from __future__ import annotations

import threading
import time

import pytest
import rds_emulator

from ansible_collections.wtsadmin.rds.plugins.module_utils import _waiting
from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import for_each_server
from ansible_collections.wtsadmin.rds.plugins.module_utils._waiting import condition_holds, wait_on_server
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import WTS_EVENT_FLUSH

SESSIONS = [
    {"session_id": 0, "session_name": "Services", "state": "disconnected", "username": None, "domain": None},
    {"session_id": 2, "session_name": "RDP-Tcp#3", "state": "active", "username": "alice", "domain": "CONTOSO"},
    {"session_id": 3, "session_name": None, "state": "disconnected", "username": "bob", "domain": "CONTOSO"},
    {"session_id": 7, "session_name": "RDP-Tcp#12", "state": "connected", "username": None, "domain": None},
    {"session_id": 65536, "session_name": "RDP-Tcp", "state": "listen", "username": None, "domain": None},
]


def params(**given):
    values = dict(server=None, on_error="fail", event=None, until=None, username=None, timeout=10,
                  fail_on_timeout=True)
    values.update(given)
    return values


def wait(server, p):
    """wait_on_server with the parameters ``p``, unpacked as win_rds_wait's main() does."""
    return wait_on_server(server, p["event"], p["until"], p["username"], p["timeout"], p["fail_on_timeout"])


def farm(emulator, *sessions, events=()):
    """Replace the host by RDSH01 holding ``sessions`` (besides session 0 and the listener) and ``events``."""
    state = rds_emulator.empty_state()
    state["servers"]["RDSH01"] = rds_emulator.make_server(list(sessions), events=list(events))
    emulator.replace_state(state)


def user(session_id, name, state="active"):
    return rds_emulator.make_session(session_id, station="RDP-Tcp#%d" % session_id, state=state, user=name,
                                     domain="CONTOSO")


def logoff(delay, session_id):
    return rds_emulator.make_event(delay, ["logoff", "statechange"], session_id=session_id, remove=True)


# conditions

def test_user_sessions_count_disconnected_ones_and_ignore_logon_screens_session_0_and_listeners():
    assert not condition_holds("no_user_sessions", SESSIONS)
    assert condition_holds("no_user_sessions", [s for s in SESSIONS if s["session_id"] not in (2, 3)])
    assert not condition_holds("no_user_sessions", [s for s in SESSIONS if s["session_id"] != 2])


def test_active_sessions_do_not_count_disconnected_ones():
    assert not condition_holds("no_active_sessions", SESSIONS)
    assert condition_holds("no_active_sessions", [s for s in SESSIONS if s["session_id"] != 2])


def test_usernames_narrow_the_sessions_that_count():
    assert condition_holds("no_user_sessions", SESSIONS, ["CONTOSO\\carol"])
    assert not condition_holds("no_user_sessions", SESSIONS, ["carol", "bob@CONTOSO"])
    assert condition_holds("no_active_sessions", SESSIONS, ["bob"])


# waiting for events

def test_waiting_for_an_event_returns_when_it_happens_with_the_sessions_after_it(emulator):
    farm(emulator, user(2, "alice"), user(3, "bob"), events=[logoff(0.3, 3)])

    entry = wait(None, params(event=["logoff"]))

    assert entry["timed_out"] is False and "failed" not in entry
    assert [event["names"] for event in entry["events"]] == [["logoff", "state_change"]]
    assert 0.25 <= entry["events"][0]["after_seconds"] <= entry["waited_seconds"] < 3
    assert entry["events"][0]["time"].endswith("Z")
    assert [(s["session_id"], s["user"]) for s in entry["sessions"]] == [(2, "CONTOSO\\alice")]


def test_events_outside_the_mask_do_not_end_the_wait(emulator):
    connect = rds_emulator.make_event(0.1, ["connect"], add_session=user(4, "carol", state="connected"))
    farm(emulator, user(2, "alice"), events=[connect, logoff(0.3, 2)])

    entry = wait(None, params(event=["logoff", "disconnect"]))

    assert [event["names"] for event in entry["events"]] == [["logoff", "state_change"]]
    assert [s["session_id"] for s in entry["sessions"]] == [4]


def test_all_events_wakes_on_anything(emulator):
    farm(emulator, user(2, "alice"), events=[rds_emulator.make_event(0.1, ["connect"])])

    entry = wait(None, params(event=["all"]))

    assert [event["names"] for event in entry["events"]] == [["connect"]]


# waiting for conditions

def test_a_condition_that_already_holds_returns_at_once_without_waiting(emulator):
    farm(emulator, user(2, "alice", state="disconnected"))

    entry = wait(None, params(until="no_active_sessions"))

    assert entry["timed_out"] is False and entry["events"] == []
    assert entry["waited_seconds"] < 1
    assert emulator.calls["WTSWaitSystemEvent"] == 0


def test_the_wait_for_a_condition_goes_on_through_events_until_it_holds(emulator):
    farm(emulator, user(2, "alice"), user(3, "bob"), events=[logoff(0.2, 2), logoff(0.2, 3)])

    entry = wait(None, params(until="no_user_sessions"))

    assert entry["timed_out"] is False
    assert len(entry["events"]) == 2
    assert entry["events"][0]["after_seconds"] < entry["events"][1]["after_seconds"]
    assert entry["sessions"] == []
    assert emulator.calls["WTSEnumerateSessionsExW"] == 3  # once at the start, once after each wake-up


def test_waiting_until_one_user_has_no_session_ignores_the_others(emulator):
    farm(emulator, user(2, "alice"), user(3, "bob"), user(4, "carol"), events=[logoff(0.1, 3), logoff(0.1, 4)])

    entry = wait(None, params(until="no_user_sessions", username=["CONTOSO\\carol"]))

    assert len(entry["events"]) == 2
    assert [s["user"] for s in entry["sessions"]] == ["CONTOSO\\alice"]


def test_a_change_without_an_event_is_noticed_by_the_periodic_recheck(emulator, monkeypatch):
    monkeypatch.setattr(_waiting, "RECHECK_SECONDS", 0.2)
    farm(emulator, user(2, "alice"))

    def log_alice_off_silently():
        time.sleep(0.3)
        with emulator.edit() as state:
            state["servers"]["RDSH01"]["sessions"] = [
                s for s in state["servers"]["RDSH01"]["sessions"] if s["id"] != 2]

    worker = threading.Thread(target=log_alice_off_silently)
    worker.start()
    entry = wait(None, params(until="no_user_sessions", timeout=5))
    worker.join()

    assert entry["timed_out"] is False and entry["events"] == []
    assert 0.3 <= entry["waited_seconds"] < 2


# timeouts

def test_a_timeout_fails_the_server_with_a_clear_message(emulator):
    farm(emulator, user(2, "alice"))

    entry = wait(None, params(until="no_user_sessions", timeout=1))

    assert entry["timed_out"] is True and entry["failed"] is True
    assert 1 <= entry["waited_seconds"] < 3
    assert entry["msg"].startswith("Timed out after 1 seconds on this host waiting for no user session.")
    assert "fail_on_timeout" in entry["msg"]
    assert [s["user"] for s in entry["sessions"]] == ["CONTOSO\\alice"]


def test_a_timeout_waiting_for_events_names_them_and_the_server(emulator):
    farm(emulator, user(2, "alice"))

    entry = wait("RDSH01", params(event=["logon", "connect"], timeout=1))

    assert entry["timed_out"] is True and entry["events"] == []
    assert "on RDSH01 waiting for a session event (logon, connect)" in entry["msg"]


def test_with_fail_on_timeout_false_a_timeout_is_only_reported(emulator):
    farm(emulator, user(2, "alice"))

    entry = wait(None, params(until="no_active_sessions", username=["alice"], timeout=1,
                              fail_on_timeout=False))

    assert entry["timed_out"] is True
    assert "failed" not in entry and "msg" not in entry


def test_the_timeout_holds_and_is_reported_when_the_flush_that_ends_the_wait_fails(emulator):
    # issue #19, item 4: the failing WTS_EVENT_FLUSH was lost in the timer thread and the wait went on until
    # the next event (41-48 s with timeout 2). Here the next event comes 30 s after the wait starts: the wait
    # must end at its timeout, before it, with the flush's error.
    farm(emulator, user(2, "alice"), events=[rds_emulator.make_event(30, ["logon"])])
    emulator.inject("WTSWaitSystemEvent", 6, args={"EventMask": WTS_EVENT_FLUSH})

    with pytest.raises(WinApiError) as failure:
        wait(None, params(event=["logon"], timeout=1))

    assert failure.value.function == "WTSWaitSystemEvent" and failure.value.code == 6
    assert emulator.state["servers"]["RDSH01"]["fired_events"] == []  # ended before the event


def test_a_failing_flush_fails_its_server_only_with_the_windows_error(emulator):
    farm(emulator, user(2, "alice"), events=[rds_emulator.make_event(30, ["logon"])])
    emulator.inject("WTSWaitSystemEvent", 6, args={"EventMask": WTS_EVENT_FLUSH})

    [entry] = for_each_server(None, lambda server: wait(server, params(event=["logon"], timeout=1)))

    assert entry["failed"] is True
    assert entry["msg"].startswith("WTSWaitSystemEvent failed: [6]")
