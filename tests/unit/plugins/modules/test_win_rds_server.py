# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_server's main() as it runs on the host (parameters validated as the controller does, the runner's
AnsibleModule), against the emulated farm."""

from __future__ import annotations

import pytest

from rds_emulator import logons

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
    assert preview["servers"][0]["result"] == "would_request" and real["servers"][0]["result"] == "requested"
    assert preview == dict(real, servers=[dict(real["servers"][0], result="would_request")])
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


def test_the_state_or_logons_is_required_and_checked_by_the_controller(validate):
    assert "state" in str(validate({}).errors.errors[0])
    assert "restarted" in str(validate({"state": "restarted"}).errors.errors[0])
    assert "state, logons" in str(validate({}).errors.errors[0])
    assert "mutually exclusive" in str(validate({"state": "rebooted", "logons": "drain"}).errors.errors[0])
    assert "drain_until_restart" in str(validate({"logons": "drained"}).errors.errors[0])
    assert "logons" in str(validate({"state": "rebooted", "refuse_reconnections": True}).errors.errors[0])


# --- logons ---------------------------------------------------------------------------------------------

@pytest.fixture
def host(emulator_file, monkeypatch):
    """The sample farm in a state file that the emulated chglogon.exe also works on."""
    monkeypatch.setenv("RDS_EMULATOR_STATE", emulator_file.path)
    return emulator_file


def logon_mode(emu, server="RDSH01"):
    return logons.logon_mode(emu.state["servers"][server])


@pytest.mark.parametrize("mode", ["drain", "drain_until_restart", "disabled", "enabled"])
def test_each_logon_mode_round_trips_and_a_second_run_changes_nothing(host, run_main, mode):
    if mode == "enabled":
        run_main({"logons": "drain"})
    before = logon_mode(host)
    args = {"logons": mode, "refuse_reconnections": mode == "disabled"}

    first = run_main(args, diff=True)
    second = run_main(args, diff=True)

    assert "failed" not in first and first["changed"] is True
    assert first["servers"] == [{"server": None, "failed": False, "changed": True, "previous_logon_mode": before,
                                 "logon_mode": mode, "logon_policy": None}]
    assert first["diff"] == {"before": {"this host": before}, "after": {"this host": mode}}
    assert logon_mode(host) == mode
    (again,) = second["servers"]
    assert second["changed"] is False and again["previous_logon_mode"] == again["logon_mode"] == mode
    assert second["diff"]["before"] == second["diff"]["after"]


def test_check_mode_predicts_the_change_and_runs_nothing(host, run_main):
    preview = run_main({"logons": "drain_until_restart"}, check_mode=True, diff=True)

    assert preview["changed"] is True and preview["servers"][0]["logon_mode"] == "drain_until_restart"
    assert preview["diff"] == {"before": {"this host": "enabled"}, "after": {"this host": "drain_until_restart"}}
    assert logon_mode(host) == "enabled" and host.mutating_calls == []
    assert run_main({"logons": "drain_until_restart"}) == dict(preview, diff=preview["diff"])


def test_disabled_needs_refuse_reconnections_and_changes_nothing_without_it(host, run_main):
    for args in ({"logons": "disabled"}, {"logons": "disabled", "refuse_reconnections": False}):
        result = run_main(args)
        assert result["failed"] is True and "refuse_reconnections: true" in result["msg"]
    assert logon_mode(host) == "enabled" and host.mutating_calls == []


def test_another_server_is_read_and_refused_with_a_message_to_run_on_it(host, run_main):
    result = run_main({"server": ["RDSH02", "RDSH03"], "logons": "drain"})

    assert result["failed"] is True
    rdsh02, rdsh03 = result["servers"]
    assert rdsh02["previous_logon_mode"] == "enabled" and "Run this task on RDSH02" in rdsh02["msg"]
    assert rdsh03["msg"].startswith("RegConnectRegistryW failed on RDSH03: [53]")
    assert "Remote Registry service" in rdsh03["msg"]
    assert logon_mode(host, "RDSH02") == "enabled" and host.mutating_calls == []
    same = run_main({"server": "RDSH02", "logons": "enabled"})
    assert "failed" not in same and same["changed"] is False and same["servers"][0]["logon_mode"] == "enabled"


def test_group_policy_wins_and_is_named_instead_of_a_change(host, run_main):
    with host.edit() as state:
        logons.set_value(state["servers"]["RDSH01"], logons.POLICY_KEY, "fDenyTSConnections", logons.REG_DWORD, 1)

    result = run_main({"logons": "drain"})

    assert result["failed"] is True and result["changed"] is False
    assert "Allow users to connect remotely using Remote Desktop Services" in result["msg"]
    assert "Allow users to connect remotely" in result["servers"][0]["logon_policy"]
    assert logon_mode(host) == "enabled" and host.mutating_calls == []
