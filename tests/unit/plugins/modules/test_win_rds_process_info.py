# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_process_info's main() as it runs on the host (parameters validated as the controller does, the runner's
AnsibleModule), against the emulated farm."""

from __future__ import annotations

from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_process_info

MODULE = win_rds_process_info


def test_every_process_of_the_host_is_listed_and_nothing_changes(emulator, run_main):
    result = run_main({}, check_mode=True)

    assert result["changed"] is False and "failed" not in result
    assert len(result["processes"]) == len(emulator.state["servers"]["RDSH01"]["processes"])
    assert {p["server"] for p in result["processes"]} == {None}
    assert result["servers"] == [{"server": None, "failed": False, "cpu_time_unit": "ms", "cpu_time_unit_checked": True}]
    assert emulator.mutating_calls == []


def test_a_single_name_is_accepted_as_a_string(emulator, run_main):
    result = run_main({"name": "WinWord", "server": "RDSH01"})

    assert [(p["name"], p["user"], p["session_id"]) for p in result["processes"]] == [
        ("WINWORD.EXE", "CONTOSO\\alice", 2)]
    assert result["processes"][0]["server"] == "RDSH01"


def test_an_unreachable_server_fails_the_task_after_the_others_were_listed(emulator, run_main):
    result = run_main({"server": ["RDSH02", "RDSH03"], "name": "explorer"})

    assert result["failed"] is True
    assert result["msg"].startswith("WTSEnumerateProcessesExW failed on RDSH03: [1722]")
    assert [(p["server"], p["name"]) for p in result["processes"]] == [("RDSH02", "explorer.exe")]


def test_access_denied_is_explained_and_on_error_warn_keeps_the_task_green(emulator, run_main):
    emulator.inject("WTSEnumerateProcessesExW", 5, server="RDSH02")

    result = run_main({"server": ["RDSH01", "RDSH02"], "pid": 3630, "on_error": "warn"})

    assert "failed" not in result
    (warning,) = result["warnings"]
    assert warning.startswith("WTSEnumerateProcessesExW failed on RDSH02: [5] Access is denied.")
    assert "local Administrators" in warning
    assert [(p["server"], p["pid"]) for p in result["processes"]] == [("RDSH01", 3630)]


def test_unknown_options_are_refused_by_the_controller(validate):
    checked = validate({"state": "absent"})

    assert "state" in " ".join(str(error) for error in checked.errors.errors)


def test_fields_choose_the_keys_of_each_process_and_every_key_is_a_choice(emulator, run_main):
    everything = run_main({"pid": 3630})
    short = run_main({"pid": 3630, "fields": ["name", "pid"]})

    assert set(everything["processes"][0]) == {"server", *MODULE.PROCESS_FIELDS}
    assert short["processes"] == [{"server": None, "name": "notepad.exe", "pid": 3630}]
