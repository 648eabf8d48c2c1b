# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_process's main() as it runs on the host (parameters validated as the controller does, the runner's
AnsibleModule), against the emulated farm."""

from __future__ import annotations

from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_process

MODULE = win_rds_process


def test_a_task_without_any_selection_is_refused_by_the_controller(validate):
    checked = validate({"force": True, "state": "absent"})

    assert "one of the following is required: name, pid, session_id, username" in str(checked.errors.errors[0])


def test_a_task_that_does_not_say_state_absent_is_refused_by_the_controller(validate):
    checked = validate({"name": "chrome"})

    assert [str(error) for error in checked.errors.errors] == ["missing required arguments: state"]


def test_ending_a_process_returns_it_with_its_previous_state_and_the_diff(emulator, run_main):
    result = run_main({"state": "absent", "name": "notepad"}, diff=True)

    assert result["changed"] is True
    assert [(p["pid"], p["previous_state"], p["state"], p["result"]) for p in result["processes"]] == [
        (3630, "running", "absent", "terminated")]
    assert result["diff"] == {"before": {"process 3630 (notepad.exe)": "running"},
                              "after": {"process 3630 (notepad.exe)": "absent"}}
    assert emulator.process("RDSH01", 3630) is None


def test_check_mode_makes_no_call_and_reports_what_the_real_run_does(emulator, run_main):
    preview = run_main({"state": "absent", "username": "CONTOSO\\bob"}, check_mode=True, diff=True)
    assert emulator.mutating_calls == []
    real = run_main({"state": "absent", "username": "CONTOSO\\bob"}, diff=True)

    assert preview["changed"] is real["changed"] is True
    assert preview["diff"] == real["diff"]
    assert {p["result"] for p in real["processes"]} == {"terminated"}
    assert preview["processes"] == [dict(p, result="would_terminate") for p in real["processes"]]


def test_selecting_a_critical_process_warns_and_leaves_it_running(emulator, run_main):
    result = run_main({"state": "absent", "name": ["lsass", "notepad"]})

    assert "failed" not in result and result["changed"] is True
    assert [p["name"] for p in result["protected"]] == ["lsass.exe"]
    assert any("lsass.exe" in warning and "force: true" in warning for warning in result["warnings"])
    assert emulator.process("RDSH01", 716) is not None


def test_a_refused_termination_fails_the_task_at_the_end(emulator, run_main):
    emulator.inject("WTSTerminateProcess", 5, pid=3630)

    result = run_main({"state": "absent", "name": ["notepad", "chrome"]})

    assert result["failed"] is True
    assert result["msg"].startswith("WTSTerminateProcess failed for process 3630 (notepad.exe): [5] Access is denied.")
    assert [(p["name"], p["result"]) for p in result["processes"]] == [
        ("chrome.exe", "terminated"), ("notepad.exe", "failed")]


def test_on_error_warn_turns_the_failure_into_a_warning(emulator, run_main):
    emulator.inject("WTSTerminateProcess", 5, pid=3630)

    result = run_main({"state": "absent", "pid": 3630, "on_error": "warn"})

    assert "failed" not in result and result["changed"] is False
    assert any("Access is denied" in warning for warning in result["warnings"])


def test_a_named_pid_that_does_not_exist_is_left_alone_with_one_warning(emulator, run_main):
    # issue #15, item 6: pid 9999 and session 42 do not exist on RDSH01, nor anything of CONTOSO\dave
    task = {"state": "absent", "pid": [3630, 9999]}

    preview = run_main(task, check_mode=True)
    real = run_main(task)
    nothing = run_main({"state": "absent", "session_id": [42], "username": "CONTOSO\\dave"})

    for result in (preview, real):
        assert [p["pid"] for p in result["processes"]] == [3630]
        assert result["warnings"] == ["Named but not found, so left alone: pid 9999 on this host"]
    assert nothing["changed"] is False
    assert nothing["warnings"] == ["Named but not found, so left alone: session_id 42 on this host; "
                                   "username CONTOSO\\dave on this host"]
