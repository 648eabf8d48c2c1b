# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logon mode (module_utils/_logon.py) against the emulated host: read from the registry, here and on
other servers, changed with chglogon.exe and read back, refused for other servers and under Group Policy."""

from __future__ import annotations

import pytest
from rds_emulator import logons

from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain
from ansible_collections.wtsadmin.rds.plugins.module_utils._logon import (
    LOGON_MODES,
    change_logon_mode,
    logon_diff,
    logon_state,
    mode_of,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.registry import read_values
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError


@pytest.fixture
def host(emulator_file, monkeypatch):
    """The sample farm in a state file that the emulated chglogon.exe also works on."""
    monkeypatch.setenv("RDS_EMULATOR_STATE", emulator_file.path)
    return emulator_file


def set_mode(emu, mode, server="RDSH01", policy_denies=False):
    with emu.edit() as state:
        logons.set_mode(state["servers"][server], mode)
        if policy_denies:
            logons.set_value(state["servers"][server], logons.POLICY_KEY, "fDenyTSConnections", logons.REG_DWORD, 1)


def emulated_mode(emu, server="RDSH01"):
    return logons.logon_mode(emu.state["servers"][server])


@pytest.mark.parametrize("disabled, drain, mode", [
    ("0", 0, "enabled"), ("0", 1, "drain_until_restart"), ("0", 2, "drain"), ("1", 2, "disabled"), (1, 0, "disabled"),
    (0, 2, "drain"), (None, None, "enabled"), ("0", 7, "unknown"), ("x", 0, "unknown"), (b"\x01", 0, "unknown")])
def test_the_mode_is_read_from_both_values_of_either_type(disabled, drain, mode):
    assert mode_of(disabled, drain) == mode


@pytest.mark.parametrize("mode", LOGON_MODES)
def test_each_mode_reads_back_from_the_registry_here_and_on_another_server(emulator, mode):
    set_mode(emulator, mode)
    set_mode(emulator, mode, server="RDSH02")
    assert logon_state() == {"logon_mode": mode, "logon_policy": None}
    assert logon_state("RDSH02") == {"logon_mode": mode, "logon_policy": None}


def test_a_missing_key_reads_as_no_values(emulator):
    assert read_values(None, {"SOFTWARE\\NoSuchKey": ["A", "B"]}) == {"SOFTWARE\\NoSuchKey": {"A": None, "B": None}}


def test_another_server_is_connected_to_once_for_every_value(emulator):
    logon_state("RDSH02")
    assert emulator.calls["RegConnectRegistryW"] == 1 and emulator.calls["RegOpenKeyExW"] == 3  # one per key


def test_group_policy_is_named_in_the_state(emulator):
    set_mode(emulator, "enabled", policy_denies=True)
    state = logon_state()
    assert state["logon_mode"] == "enabled"
    assert "Allow users to connect remotely using Remote Desktop Services" in state["logon_policy"]
    assert "fDenyTSConnections = 1" in state["logon_policy"]


def test_a_server_without_the_remote_registry_service_says_what_to_start(emulator):
    emulator.state["servers"]["RDSH02"]["remote_registry"] = False
    with pytest.raises(WinApiError) as raised:
        logon_state("RDSH02")
    assert raised.value.function == "RegConnectRegistryW" and raised.value.code == 53
    assert "Remote Registry service (RemoteRegistry)" in explain(raised.value)


@pytest.mark.parametrize("mode", LOGON_MODES)
def test_every_mode_is_set_with_chglogon_and_read_back(host, mode):
    set_mode(host, "drain" if mode == "enabled" else "enabled")
    before = emulated_mode(host)
    entry = change_logon_mode(None, mode, check_mode=False)
    assert entry == {"previous_logon_mode": before, "logon_mode": mode, "logon_policy": None, "changed": True}
    assert emulated_mode(host) == mode
    assert [call["args"]["switch"] for call in host.mutating_calls if call["function"] == "chglogon.exe"] == [
        {"enabled": "/enable", "drain": "/drain", "drain_until_restart": "/drainuntilrestart",
         "disabled": "/disable"}[mode]]


def test_the_same_mode_again_changes_nothing_and_runs_nothing(host):
    set_mode(host, "drain")
    assert change_logon_mode(None, "drain", check_mode=False)["changed"] is False
    assert not host.mutating_calls


def test_check_mode_says_what_would_change_and_changes_nothing(host):
    entry = change_logon_mode(None, "drain_until_restart", check_mode=True)
    assert entry == {"previous_logon_mode": "enabled", "logon_mode": "drain_until_restart", "logon_policy": None,
                     "changed": True}
    assert emulated_mode(host) == "enabled" and not host.mutating_calls


def test_another_server_is_refused_unless_it_already_has_the_mode(host):
    entry = change_logon_mode("RDSH02", "drain", check_mode=False)
    assert entry["failed"] and entry["changed"] is False
    assert "only be changed on RDSH02 itself" in entry["msg"] and "no remote option" in entry["msg"]
    assert emulated_mode(host, "RDSH02") == "enabled" and not host.mutating_calls
    assert change_logon_mode("RDSH02", "enabled", check_mode=False) == {
        "previous_logon_mode": "enabled", "logon_mode": "enabled", "logon_policy": None, "changed": False}


def test_group_policy_refuses_a_mode_that_lets_users_in_but_not_disabled(host):
    set_mode(host, "enabled", policy_denies=True)
    for mode in ("drain", "drain_until_restart"):
        entry = change_logon_mode(None, mode, check_mode=False)
        assert entry["failed"] and not entry["changed"] and "Group Policy" in entry["msg"]
    assert not host.mutating_calls
    assert change_logon_mode(None, "disabled", check_mode=False)["changed"] is True
    assert change_logon_mode(None, "enabled", check_mode=False)["failed"]
    assert emulated_mode(host) == "disabled"


def test_a_failing_chglogon_is_reported_with_its_exit_code_and_output(host):
    with host.edit() as state:
        state["administrator"] = False
    entry = change_logon_mode(None, "drain", check_mode=False)
    assert entry["failed"] and entry["changed"] is False and entry["logon_mode"] == "enabled"
    assert "chglogon.exe /drain failed (exit code 1): Access denied." in entry["msg"]


def test_an_exit_code_of_0_without_the_change_is_not_taken_on_trust(host, tmp_path, monkeypatch):
    fake = tmp_path / "system32"
    fake.mkdir()
    (fake / "chglogon.exe").write_text("#!/bin/sh\nexit 0\n")
    (fake / "chglogon.exe").chmod(0o755)
    with host.edit() as state:
        state["system_directory"] = str(fake)
    entry = change_logon_mode(None, "drain", check_mode=False)
    assert entry["failed"] and entry["changed"] is False
    assert entry["msg"].endswith("reported success but the logon mode of this host is enabled, not drain.")


def test_a_missing_chglogon_is_a_clear_failure(host, tmp_path):
    with host.edit() as state:
        state["system_directory"] = str(tmp_path)
    entry = change_logon_mode(None, "drain", check_mode=False)
    assert entry["failed"] and "could not be started" in entry["msg"]


def test_the_diff_shows_each_server_before_and_after():
    results = [{"server": None, "previous_logon_mode": "enabled", "logon_mode": "drain"},
               {"server": "RDSH02", "failed": True, "msg": "unreachable"}]
    assert logon_diff(results) == {"before": {"this host": "enabled"}, "after": {"this host": "drain"}}
