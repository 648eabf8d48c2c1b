# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_wait's main() as it runs on the host (parameters validated as the controller does, the runner's
AnsibleModule), against the emulated farm."""

from __future__ import annotations

from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_wait

MODULE = win_rds_wait


def test_event_and_until_are_mutually_exclusive_and_one_is_required(validate):
    assert "mutually exclusive" in str(validate({"event": "logon", "until": "no_user_sessions"}).errors.errors[0])
    assert "one of the following is required" in str(validate({}).errors.errors[0])
    assert "until" in str(validate({"event": "logon", "username": "bob"}).errors.errors[0])
    assert "sleep" in str(validate({"event": "sleep"}).errors.errors[0])


def test_waiting_until_a_user_logs_off_returns_the_event_and_the_sessions(emulator, run_main):
    with emulator.edit() as state:
        state["servers"]["RDSH01"]["events"] = [
            {"delay_seconds": 0.2, "flags": ["logoff"], "change": {"session_id": 3, "remove": True}}]

    result = run_main({"until": "no_user_sessions", "username": "bob", "timeout": 10}, check_mode=True)

    assert "failed" not in result and result["changed"] is False
    assert result["servers"][0]["timed_out"] is False
    assert [(event["server"], event["names"]) for event in result["events"]] == [(None, ["logoff"])]
    assert 3 not in [s["session_id"] for s in result["sessions"]]
    assert emulator.mutating_calls == []


def test_a_timeout_fails_the_task_unless_it_should_only_be_reported(emulator, run_main):
    failed = run_main({"until": "no_active_sessions", "timeout": 1})
    reported = run_main({"until": "no_active_sessions", "timeout": 1, "fail_on_timeout": False})

    assert failed["failed"] is True and failed["servers"][0]["timed_out"] is True
    assert failed["msg"].startswith("Timed out after 1 seconds on this host waiting for no active session.")
    assert "failed" not in reported and reported["servers"][0]["timed_out"] is True


def test_servers_are_waited_on_concurrently_and_an_unreachable_one_is_reported(emulator, run_main):
    result = run_main({"server": ["RDSH01", "RDSH02", "RDSH03"], "event": "logon", "timeout": 1,
                       "fail_on_timeout": False, "on_error": "warn"})

    assert [entry["server"] for entry in result["servers"]] == ["RDSH01", "RDSH02", "RDSH03"]
    assert [entry.get("timed_out") for entry in result["servers"]] == [True, True, None]
    assert max(entry["waited_seconds"] for entry in result["servers"][:2]) < 2.5
    assert any("RDSH03" in warning and "[1722]" in warning for warning in result["warnings"])
