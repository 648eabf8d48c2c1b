# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_session_info's main() as it runs on the host (parameters validated as the controller does them, the
runner's AnsibleModule), against the emulated farm."""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wtsadmin.rds.plugins.module_utils import _runner
from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_session_info


def run_main(monkeypatch, args, check_mode=False):
    checked = ArgumentSpecValidator(win_rds_session_info.module_args()["argument_spec"]).validate(args)
    assert not checked.errors.errors, checked.errors.errors
    task = {"params": checked.validated_parameters, "check_mode": check_mode, "diff": False, "verbosity": 0,
            "no_log": False}
    monkeypatch.setattr(win_rds_session_info, "AnsibleModule",
                        type("AnsibleModule", (_runner.AnsibleModule,), {"_task": task}))
    with pytest.raises(_runner.ModuleExit) as done:
        win_rds_session_info.main()
    return done.value.result


def test_the_host_itself_is_listed_with_sessions_counts_and_server_at_the_top(emulator, monkeypatch):
    result = run_main(monkeypatch, {})

    assert result["changed"] is False
    assert result["server"] is None
    assert [s["session_id"] for s in result["sessions"]] == [1, 2, 3, 4, 5, 6, 7]
    assert result["counts"]["active"] == 4 and result["counts"]["disconnected"] == 2
    assert result["servers"] == [{"server": None, "failed": False, "sessions": result["sessions"],
                                  "counts": result["counts"]}]
    assert emulator.mutating_calls == []


def test_ad_hoc_state_filter_lists_the_disconnected_sessions(emulator, monkeypatch):
    result = run_main(monkeypatch, {"state": "disconnected"})

    assert [(s["session_id"], s["state"]) for s in result["sessions"]] == [(3, "disconnected"), (6, "disconnected")]


def test_check_mode_lists_the_same(emulator, monkeypatch):
    assert run_main(monkeypatch, {}, check_mode=True)["sessions"] == run_main(monkeypatch, {})["sessions"]


def test_a_farm_with_an_unreachable_server_fails_at_the_end_with_every_result(emulator, monkeypatch):
    result = run_main(monkeypatch, {"server": ["RDSH01", "RDSH03", "RDSH02"]})

    assert result["failed"] is True
    assert result["msg"].startswith("WTSEnumerateSessionsExW failed on RDSH03: [1722]")
    assert [entry["failed"] for entry in result["servers"]] == [False, True, False]
    assert len(result["servers"][2]["sessions"]) == 2
    assert "sessions" not in result


def test_on_error_warn_reports_the_unreachable_server_as_a_warning(emulator, monkeypatch):
    result = run_main(monkeypatch, {"server": ["RDSH03", "RDSH02"], "on_error": "warn"})

    assert "failed" not in result
    assert "on RDSH03: [1722]" in result["warnings"][0]
    assert result["servers"][1]["counts"]["active"] == 1


def test_a_single_unreachable_server_fails_the_task(emulator, monkeypatch):
    result = run_main(monkeypatch, {"server": "rdsh03.contoso.com"})

    assert result["failed"] is True
    assert result["server"] == "rdsh03.contoso.com"
    assert "AllowRemoteRPC" in result["msg"]
