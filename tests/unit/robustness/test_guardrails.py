# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guardrails of docs/architecture.md ("Behaviour the layers guarantee"), each refused and each proved by the
calls the emulator saw: session 0 and the listeners, the console without allow_console, critical processes (and
the task's own) without force, and a win_rds_session or win_rds_process task that selects nothing."""

from __future__ import annotations

import pytest

from robustness_harness import run_module, validate

ACTING_ON_SESSIONS = ("WTSDisconnectSession", "WTSLogoffSession", "WTSSendMessageW")


def _session_ids_acted_on(emu):
    return sorted({call["args"]["SessionId"] for call in emu.mutating_calls if call["function"] in ACTING_ON_SESSIONS})


@pytest.mark.parametrize("session_id", [0, 65536])
@pytest.mark.parametrize("state", ["disconnected", "logged_off"])
def test_win_rds_session_refuses_session_0_and_listeners_by_id_before_any_call(farm, session_id, state):
    emu = farm()

    result = run_module("win_rds_session", {"session_id": [session_id], "state": state})

    assert result["failed"] is True
    assert "session_id %d" % session_id in result["msg"] and "never acted on" in result["msg"]
    assert emu.calls == {}


def test_selecting_by_state_never_reaches_session_0_or_the_listener(farm):
    emu = farm()

    result = run_module("win_rds_session", {"session_state": ["disconnected", "listen"], "state": "logged_off"})

    assert not result.get("failed"), result["msg"]
    assert _session_ids_acted_on(emu) == [3, 6]
    assert [s["session_id"] for s in result["sessions"]] == [3, 6]


def test_all_true_acts_on_user_sessions_but_not_session_0_the_listener_or_the_console(farm):
    emu = farm()

    result = run_module("win_rds_session", {"all": True, "state": "disconnected"})

    assert _session_ids_acted_on(emu) == [2, 4, 5, 7]
    assert [p["session_id"] for p in result["protected"]] == [1]


def test_messages_never_go_to_session_0_or_the_listener_even_when_named(farm):
    emu = farm()

    result = run_module("win_rds_message", {"session_id": [0, 2, 65536], "msg": "Hallo"})

    assert not result.get("failed"), result["msg"]
    assert _session_ids_acted_on(emu) == [2]


def test_the_console_is_left_alone_without_allow_console(farm):
    emu = farm()

    result = run_module("win_rds_session", {"session_id": [1, 2], "state": "logged_off", "wait": False})

    assert _session_ids_acted_on(emu) == [2]
    assert result["protected"] == [{"server": None, "session_id": 1, "user": "RDSH01\\Administrator",
                                    "reason": "the console session is acted on only with allow_console: true"}]


def test_allow_console_lets_the_console_be_disconnected(farm):
    emu = farm()

    run_module("win_rds_session", {"session_id": [1], "state": "disconnected", "allow_console": True})

    assert _session_ids_acted_on(emu) == [1]
    assert emu.session("RDSH01", 1)["state"] == "disconnected"


@pytest.mark.parametrize("name", ["System", "smss", "csrss.exe", "wininit", "winlogon", "services", "LSASS.EXE"])
def test_critical_processes_are_left_running_without_force(farm, name):
    emu = farm()

    result = run_module("win_rds_process", {"name": [name], "state": "absent"})

    assert emu.mutating_calls == []
    assert result["changed"] is False and result["processes"] == []
    assert {p["reason"] for p in result["protected"]} == {"critical system process"}
    assert "force: true" in result["warnings"][0]


def test_the_process_tree_running_the_task_is_left_running_without_force(farm):
    emu = farm()

    result = run_module("win_rds_process", {"name": ["python", "powershell", "wsmprovhost"], "state": "absent"})

    assert emu.mutating_calls == []
    assert [(p["pid"], p["reason"]) for p in result["protected"]] == [
        (4100, "runs this task"), (4200, "runs this task"), (4242, "runs this task")]


def test_force_ends_a_critical_process(farm):
    emu = farm()

    result = run_module("win_rds_process", {"pid": [716], "force": True, "state": "absent"})

    assert [call["args"]["ProcessId"] for call in emu.mutating_calls] == [716]
    assert result["processes"][0]["result"] == "terminated"


def test_win_rds_session_without_a_selection_is_refused_before_any_call(farm):
    emu = farm()

    result = run_module("win_rds_session", {"state": "logged_off"})

    assert result["failed"] is True and "no session selected" in result["msg"] and "all: true" in result["msg"]
    assert emu.calls == {}


def test_win_rds_process_without_a_selection_is_refused_by_the_controller():
    _params, errors = validate("win_rds_process", {"force": True, "state": "absent"})

    assert errors == ["one of the following is required: name, pid, session_id, username"]


def test_win_rds_process_ends_nothing_when_the_task_own_process_tree_cannot_be_read(farm):
    """Bug found by the fault matrix: a failing Toolhelp snapshot raised out of main() (a traceback)."""
    emu = farm()
    emu.inject("CreateToolhelp32Snapshot", 5)

    result = run_module("win_rds_process", {"name": ["notepad"], "state": "absent"})

    assert result["failed"] is True
    assert result["msg"].startswith("CreateToolhelp32Snapshot failed: [5] Access is denied.")
    assert emu.mutating_calls == []


# --- selections that match everything (issue #19, item 11) -----------------------------------------------

@pytest.mark.parametrize("selection", [
    {"username": ["*"]}, {"username": ["*\\*"]}, {"username": ["*@*"]}, {"min_idle_seconds": 0},
    {"username": ["*"], "min_idle_seconds": 0},
    {"session_state": ["active", "connected", "connect_query", "shadow", "disconnected", "idle", "listen", "reset",
                       "down", "init"]},
])
@pytest.mark.parametrize("state", ["disconnected", "logged_off"])
def test_a_selection_that_matches_every_user_session_needs_all_true(farm, selection, state):
    emu = farm()

    result = run_module("win_rds_session", dict(selection, state=state))

    assert result["failed"] is True
    assert "every user session: say all: true" in result["msg"]
    assert emu.calls == {}


def test_a_match_all_selection_with_all_true_acts_like_all_true(farm):
    emu = farm()

    result = run_module("win_rds_session", {"username": ["*"], "all": True, "state": "disconnected"})

    assert not result.get("failed"), result.get("msg")
    assert _session_ids_acted_on(emu) == [2, 4, 5]  # the user sessions but the console; 7 has no user


def test_a_wildcard_narrowed_by_another_filter_needs_no_all(farm):
    emu = farm()

    result = run_module("win_rds_session", {"username": ["*"], "min_idle_seconds": 3600, "state": "disconnected"})

    assert not result.get("failed"), result.get("msg")
    assert all(s["idle_seconds"] >= 3600 for s in result["sessions"])


@pytest.mark.parametrize("selection", [
    {"name": ["*"]}, {"name": ["*.exe"]}, {"name": ["*", "?*"]}, {"username": ["*"]}, {"name": ["*"], "username": ["*@*"]},
])
def test_win_rds_process_refuses_a_selection_that_matches_every_process(farm, selection):
    emu = farm()

    result = run_module("win_rds_process", dict(selection, force=True, state="absent"))

    assert result["failed"] is True
    assert "there is no way to end every process" in result["msg"]
    assert emu.mutating_calls == []


@pytest.mark.parametrize("name", ["svchost", "MsMpEng.exe"])
def test_service_processes_of_session_0_are_left_running_without_force(farm, name):
    emu = farm()

    result = run_module("win_rds_process", {"name": [name], "state": "absent"})

    assert emu.mutating_calls == []
    assert result["processes"] == []
    # (one svchost.exe of the sample farm is the WinRM service running this task: that reason comes first)
    assert "service process in session 0" in {p["reason"] for p in result["protected"]}
    assert {p["reason"] for p in result["protected"]} <= {"service process in session 0", "runs this task"}
    assert "force: true" in result["warnings"][0]


def test_force_ends_a_service_process(farm):
    emu = farm()

    result = run_module("win_rds_process", {"pid": [1400], "force": True, "state": "absent"})

    assert [call["args"]["ProcessId"] for call in emu.mutating_calls] == [1400]
