# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_session_info's main() as it runs on the host (parameters validated as the controller does them, the
runner's AnsibleModule), against the emulated farm."""

from __future__ import annotations

from rds_emulator import logons

from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_session_info


MODULE = win_rds_session_info


def test_the_host_itself_is_listed_with_sessions_counts_and_one_server_summary(emulator, run_main):
    result = run_main({})

    assert result["changed"] is False
    assert [(s["server"], s["session_id"]) for s in result["sessions"]] == [(None, n) for n in range(1, 8)]
    assert result["counts"]["active"] == 4 and result["counts"]["disconnected"] == 2
    assert result["servers"] == [{"server": None, "failed": False, "counts": result["counts"], "logon_mode": "enabled",
                                  "logon_policy": None}]
    assert emulator.mutating_calls == []


def test_one_server_or_two_give_the_same_shape_and_the_counts_add_up(emulator, run_main):
    one = run_main({"server": "RDSH02"})
    two = run_main({"server": ["RDSH01", "RDSH02"]})

    assert set(one) == set(two)
    assert [s["server"] for s in two["sessions"]] == ["RDSH01"] * 7 + ["RDSH02"] * 2
    assert two["sessions"][7:] == one["sessions"]
    assert [entry["counts"] for entry in two["servers"]][1] == one["counts"]
    assert two["counts"]["active"] == 4 + one["counts"]["active"]
    assert all("sessions" not in entry for entry in two["servers"])


def test_ad_hoc_state_filter_lists_the_disconnected_sessions(emulator, run_main):
    result = run_main({"session_state": "disconnected"})

    assert [(s["session_id"], s["state"]) for s in result["sessions"]] == [(3, "disconnected"), (6, "disconnected")]


def test_check_mode_lists_the_same(emulator, run_main):
    assert run_main({}, check_mode=True)["sessions"] == run_main({})["sessions"]


def test_a_farm_with_an_unreachable_server_fails_at_the_end_with_every_result(emulator, run_main):
    result = run_main({"server": ["RDSH01", "RDSH03", "RDSH02"]})

    assert result["failed"] is True
    assert result["msg"].startswith("WTSEnumerateSessionsExW failed on RDSH03: [1722]")
    assert [entry["failed"] for entry in result["servers"]] == [False, True, False]
    assert [s["server"] for s in result["sessions"]].count("RDSH02") == 2
    assert "RDSH03" not in [s["server"] for s in result["sessions"]]


def test_on_error_warn_reports_the_unreachable_server_as_a_warning(emulator, run_main):
    result = run_main({"server": ["RDSH03", "RDSH02"], "on_error": "warn"})

    assert "failed" not in result
    assert "on RDSH03: [1722]" in result["warnings"][0]
    assert result["servers"][1]["counts"]["active"] == 1


def test_a_single_unreachable_server_fails_the_task(emulator, run_main):
    result = run_main({"server": "rdsh03.contoso.com"})

    assert result["failed"] is True
    assert result["servers"][0]["server"] == "rdsh03.contoso.com"
    assert result["sessions"] == []
    assert "AllowRemoteRPC" in result["msg"]


def test_each_server_shows_its_logon_mode_and_a_policy_that_overrides_it(emulator, run_main):
    logons.set_mode(emulator.state["servers"]["RDSH01"], "drain_until_restart")
    logons.set_mode(emulator.state["servers"]["RDSH02"], "disabled")
    logons.set_value(emulator.state["servers"]["RDSH02"], logons.POLICY_KEY, "fDenyTSConnections", logons.REG_DWORD, 1)

    result = run_main({"server": ["RDSH01", "RDSH02"]})

    assert [s["logon_mode"] for s in result["servers"]] == ["drain_until_restart", "disabled"]
    assert result["servers"][0]["logon_policy"] is None
    assert "Allow users to connect remotely" in result["servers"][1]["logon_policy"]
    assert emulator.mutating_calls == []


def test_a_logon_mode_that_cannot_be_read_is_null_with_a_warning_and_the_sessions_are_listed(emulator, run_main):
    emulator.state["servers"]["RDSH02"]["remote_registry"] = False

    result = run_main({"server": "RDSH02"})

    assert "failed" not in result and len(result["sessions"]) == 2
    assert result["servers"][0]["logon_mode"] is None
    (warning,) = result["warnings"]
    assert warning.startswith("logon_mode unknown: RegConnectRegistryW failed on RDSH02: [53]")
    assert "Remote Registry service" in warning


def test_fields_choose_the_keys_of_each_session_in_their_order_and_every_key_is_a_choice(emulator, run_main):
    everything = run_main({})
    short = run_main({"fields": ["session_id", "user", "state", "idle_seconds", "client_name"],
                      "session_state": "disconnected"})

    assert set(everything["sessions"][0]) == {"server", *MODULE.SESSION_FIELDS}
    assert [list(s) for s in short["sessions"]] == [["server", "session_id", "user", "state", "idle_seconds",
                                                     "client_name"]] * 2
    assert [s["session_id"] for s in short["sessions"]] == [3, 6]
    assert short["counts"]["disconnected"] == 2


def test_an_unknown_field_is_refused_by_the_controller_by_name(validate):
    assert "idle_time" in str(validate({"fields": ["idle_time"]}).errors.errors[0])
