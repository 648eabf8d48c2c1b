# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_session's main() as it runs on the host (parameters validated as the controller does them, the
runner's AnsibleModule), against the emulated farm."""

from __future__ import annotations

from ansible_collections.wtsadmin.rds.plugins.module_utils import _sessions
from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_session


MODULE = win_rds_session


def test_a_task_without_selection_fails_clearly_and_touches_nothing(emulator, run_main):
    result = run_main({"state": "logged_off"})

    assert result["failed"] is True
    assert "all: true" in result["msg"]
    assert emulator.calls == {}


def test_naming_session_0_fails_before_any_call(emulator, run_main):
    result = run_main({"state": "logged_off", "session_id": [0]})

    assert result["failed"] is True and "never acted on" in result["msg"]
    assert emulator.calls == {}


def test_state_is_the_target_so_the_state_filter_is_session_state_only(validate):
    checked = validate({"state": "logged_off", "session_state": "disconnected"})

    assert checked.validated_parameters["state"] == "logged_off"
    assert checked.validated_parameters["session_state"] == ["disconnected"]


def test_logoff_returns_sessions_with_previous_state_and_diff_and_then_is_idempotent(emulator, run_main):
    task = {"state": "logged_off", "username": "CONTOSO\\bob"}

    first = run_main(task, diff=True)
    second = run_main(task, diff=True)

    assert first["changed"] is True
    assert [(s["user"], s["previous_state"], s["result"]) for s in first["sessions"]] == [
        ("CONTOSO\\bob", "disconnected", "logged_off")]
    assert first["diff"] == {"before": {"session 3 (CONTOSO\\bob)": "disconnected"},
                             "after": {"session 3 (CONTOSO\\bob)": "logged_off"}}
    assert second["changed"] is False and second["sessions"] == []


def test_check_mode_reports_the_change_without_making_it(emulator, run_main):
    result = run_main({"state": "disconnected", "session_id": [2, 4]}, check_mode=True)

    assert result["changed"] is True
    assert [(s["result"], s["state"]) for s in result["sessions"]] == [("would_disconnect", "disconnected")] * 2
    assert emulator.mutating_calls == []
    assert emulator.session("RDSH01", 2)["state"] == "active"


def test_a_session_failure_fails_the_task_at_the_end_after_the_others_were_done(emulator, run_main):
    emulator.inject("WTSDisconnectSession", 5, session_id=2)

    result = run_main({"state": "disconnected", "session_state": "active", "allow_console": True})

    assert result["failed"] is True
    assert result["msg"].startswith("WTSDisconnectSession failed for session 2 (CONTOSO\\alice): [5] Access is denied.")
    assert '"Disconnect" permission' in result["msg"]
    assert result["changed"] is True
    assert emulator.session("RDSH01", 4)["state"] == "disconnected"
    assert emulator.session("RDSH01", 1)["state"] == "disconnected"


def test_on_error_warn_turns_the_session_failure_into_a_warning(emulator, run_main):
    emulator.inject("WTSLogoffSession", 5, session_id=4)

    result = run_main({"state": "logged_off", "username": "carol", "on_error": "warn"})

    assert "failed" not in result
    assert result["warnings"][0].startswith("WTSLogoffSession failed for session 4 (CONTOSO\\carol): [5]")
    assert result["sessions"][0]["result"] == "failed"


def test_check_mode_gives_the_same_shape_for_the_host_one_server_or_two(emulator, run_main):
    task = {"state": "logged_off", "session_state": "disconnected"}

    results = [run_main(dict(task, **servers), check_mode=True, diff=True)
               for servers in ({}, {"server": "RDSH02"}, {"server": ["RDSH01", "RDSH02"]})]

    assert [sorted(result) for result in results] == [sorted(results[0])] * 3
    assert [s["server"] for s in results[2]["sessions"]] == ["RDSH01", "RDSH01", "RDSH02"]
    assert results[1]["sessions"] == results[2]["sessions"][2:]
    assert all(sorted(entry) == ["changed", "failed", "server"] for result in results for entry in result["servers"])
    assert emulator.mutating_calls == []


def test_a_failure_after_the_logoffs_keeps_changed_and_the_sessions(emulator, run_main, monkeypatch):
    # issue #19, item 5: the poll after the logoffs failed and the whole entry said failed and unchanged
    logoff = _sessions.logoff_session

    def logoff_then_fail_the_poll(handle, session_id):
        logoff(handle, session_id)
        emulator.inject("WTSEnumerateSessionsExW", 1722)  # the next enumeration, the poll, fails

    monkeypatch.setitem(_sessions._ACTIONS, "logged_off", ("WTSLogoffSession", logoff_then_fail_the_poll))

    result = run_main({"state": "logged_off", "username": "CONTOSO\\bob"})

    assert result["failed"] is True
    assert result["changed"] is True
    assert [(s["session_id"], s["result"]) for s in result["sessions"]] == [(3, "logged_off")]
    assert result["msg"].startswith(
        "WTSEnumerateSessionsExW failed for the sessions after the WTSLogoffSession requests: [1722]")
    assert [call["function"] for call in emulator.mutating_calls] == ["WTSLogoffSession"]


def test_a_named_session_that_does_not_exist_is_left_unchanged_with_one_warning(emulator, run_main):
    # issue #15, item 6: sessions 9 and 12 do not exist; session 3 (bob) does on RDSH01 only
    task = {"state": "logged_off", "session_id": [3, 9, 12], "server": ["RDSH01", "RDSH02"]}

    for check_mode in (True, False):
        result = run_main(task, check_mode=check_mode)

        assert [(s["server"], s["session_id"]) for s in result["sessions"]] == [("RDSH01", 3)]
        assert result["warnings"] == ["Named but not found, so left alone: session_id 9, 12 on RDSH01; "
                                      "session_id 3, 9, 12 on RDSH02"]
    assert [call["args"]["SessionId"] for call in emulator.mutating_calls] == [3]


def test_a_named_user_is_reported_only_when_no_server_of_the_task_has_a_session_of_theirs(emulator, run_main):
    farm = {"server": ["RDSH01", "RDSH02"], "state": "disconnected"}

    alice = run_main(dict(farm, username="CONTOSO\\alice"), check_mode=True)
    frank = run_main(dict(farm, username=["CONTOSO\\frank", "CONTOSO\\alice"]), check_mode=True)
    wildcard = run_main(dict(farm, username="CONTOSO\\fra*"), check_mode=True)
    itself = run_main({"state": "disconnected", "username": "dave"})

    assert "warnings" not in alice and "warnings" not in wildcard
    assert frank["warnings"] == ["Named but not found, so left alone: username CONTOSO\\frank on RDSH01, RDSH02"]
    assert itself["changed"] is False
    assert itself["warnings"] == ["Named but not found, so left alone: username dave on this host"]
