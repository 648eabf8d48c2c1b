# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_server's main() as it runs on the host (parameters validated as the controller does, the runner's
AnsibleModule), against the emulated farm."""

from __future__ import annotations

import pytest

from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_server

MODULE = win_rds_server


FLAGS = {"rebooted": "reboot", "shut_down": "shutdown", "powered_off": "poweroff", "logged_off": "logoff"}


@pytest.mark.parametrize("state", sorted(FLAGS))
def test_each_state_makes_its_one_shutdown_call(emulator, state, run_main):
    result = run_main({"server": "RDSH02", "state": state})

    assert "failed" not in result and result["changed"] is True
    assert result["servers"] == [{"server": "RDSH02", "failed": False, "changed": True, "previous_state": "running",
                                  "state": state, "result": "requested", "user_sessions": 2}]
    assert [call["function"] for call in emulator.mutating_calls] == ["WTSShutdownSystem"]
    assert emulator.state["servers"]["RDSH02"]["shutdown"]["flag"] == FLAGS[state]


def test_logged_off_warns_that_new_logons_are_refused_until_the_service_restarts(emulator, run_main):
    result = run_main({"state": "logged_off"})

    (warning,) = result["warnings"]
    assert "this host refuses every new remote logon" in warning and "TermService" in warning
    assert [s["id"] for s in emulator.state["servers"]["RDSH01"]["sessions"] if s["user"]] == []


def test_check_mode_counts_the_sessions_and_shuts_nothing_down(emulator, run_main):
    preview = run_main({"state": "rebooted"}, check_mode=True)

    assert emulator.mutating_calls == []
    assert emulator.state["servers"]["RDSH01"]["shutdown"] is None
    real = run_main({"state": "rebooted"})
    assert preview == real
    user_sessions = [s for s in emulator.state["servers"]["RDSH01"]["sessions"] if s["user"] and 0 < s["id"] < 65536]
    assert real["servers"][0]["user_sessions"] == len(user_sessions) > 0


def test_several_servers_are_asked_and_an_unreachable_one_is_reported_alone(emulator, run_main):
    result = run_main({"server": ["RDSH03", "RDSH02"], "state": "powered_off"}, check_mode=True)

    assert result["failed"] is True
    assert result["msg"].startswith("WTSEnumerateSessionsExW failed on RDSH03: [1722]")
    assert result["servers"][1]["changed"] is True and result["servers"][1]["server"] == "RDSH02"


def test_a_refused_shutdown_is_explained(emulator, run_main):
    emulator.inject("WTSShutdownSystem", 5)

    result = run_main({"state": "shut_down"})

    assert result["failed"] is True
    assert result["msg"].startswith("WTSShutdownSystem failed: [5] Access is denied.")
    assert "local Administrators" in result["msg"]
    assert emulator.state["servers"]["RDSH01"]["shutdown"] is None


def test_the_state_is_required_and_checked_by_the_controller(validate):
    assert "state" in str(validate({}).errors.errors[0])
    assert "restarted" in str(validate({"state": "restarted"}).errors.errors[0])
