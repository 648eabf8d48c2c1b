# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_process_info's main() as it runs on the host (parameters validated as the controller does, the runner's
AnsibleModule), against the emulated farm."""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wtsadmin.rds.plugins.module_utils import _runner
from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_process_info

_VALIDATOR_ARGS = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")


def validate(args):
    """The task's arguments as the controller validates them (the action plugin uses the same module_args())."""
    spec = win_rds_process_info.module_args()
    return ArgumentSpecValidator(spec["argument_spec"], **{key: spec.get(key) for key in _VALIDATOR_ARGS}).validate(args)


def run_main(monkeypatch, args, check_mode=False, diff=False):
    """main() as it runs on the host, with ``args`` validated as on the controller; the module's result."""
    checked = validate(args)
    assert not checked.errors.errors, checked.errors.errors
    task = {"params": checked.validated_parameters, "check_mode": check_mode, "diff": diff, "verbosity": 0,
            "no_log": False}
    monkeypatch.setattr(win_rds_process_info, "AnsibleModule", type("AnsibleModule", (_runner.AnsibleModule,), {"_task": task}))
    with pytest.raises(_runner.ModuleExit) as done:
        win_rds_process_info.main()
    return done.value.result


def test_every_process_of_the_host_is_listed_and_nothing_changes(emulator, monkeypatch):
    result = run_main(monkeypatch, {}, check_mode=True)

    assert result["changed"] is False and "failed" not in result
    assert result["server"] is None
    assert len(result["processes"]) == len(emulator.state["servers"]["RDSH01"]["processes"])
    assert result["servers"][0]["processes"] == result["processes"]
    assert emulator.mutating_calls == []


def test_a_single_name_is_accepted_as_a_string(emulator, monkeypatch):
    result = run_main(monkeypatch, {"name": "WinWord", "server": "RDSH01"})

    assert [(p["name"], p["user"], p["session_id"]) for p in result["processes"]] == [
        ("WINWORD.EXE", "CONTOSO\\alice", 2)]
    assert result["server"] == "RDSH01"


def test_an_unreachable_server_fails_the_task_after_the_others_were_listed(emulator, monkeypatch):
    result = run_main(monkeypatch, {"server": ["RDSH02", "RDSH03"], "name": "explorer"})

    assert result["failed"] is True
    assert result["msg"].startswith("WTSEnumerateProcessesExW failed on RDSH03: [1722]")
    assert [p["name"] for p in result["servers"][0]["processes"]] == ["explorer.exe"]


def test_access_denied_is_explained_and_on_error_warn_keeps_the_task_green(emulator, monkeypatch):
    emulator.inject("WTSEnumerateProcessesExW", 5, server="RDSH02")

    result = run_main(monkeypatch, {"server": ["RDSH01", "RDSH02"], "pid": 3630, "on_error": "warn"})

    assert "failed" not in result
    (warning,) = result["warnings"]
    assert warning.startswith("WTSEnumerateProcessesExW failed on RDSH02: [5] Access is denied.")
    assert "local Administrators" in warning
    assert [p["pid"] for p in result["servers"][0]["processes"]] == [3630]


def test_unknown_options_are_refused_by_the_controller():
    checked = validate({"state": "absent"})

    assert "state" in " ".join(str(error) for error in checked.errors.errors)
