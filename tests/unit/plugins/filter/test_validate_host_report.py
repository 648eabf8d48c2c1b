# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wtsadmin.rds.validate_host_report filter: the verdicts of playbooks/validate_host.yml (docs/testing.md).
tests/integration/test_validate_host.py runs the playbook against the emulated host for each outcome."""

from __future__ import annotations

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.wtsadmin.rds.plugins.filter.validate_host_report import DOCUMENTATION, FilterModule

report = FilterModule().filters()["validate_host_report"]

ALICE = {"session_id": 2, "user": "CONTOSO\\alice", "state": "active", "locked": True, "client_protocol": "rdp"}
BOB = {"session_id": 3, "user": "CONTOSO\\bob", "state": "disconnected", "locked": None, "client_protocol": "rdp"}
SKIPPED = {"skipped": True, "changed": False}


def facts(**changes):
    """A run on a host that behaves as documented, with every check made."""
    recorded = {
        "connection": "winrm", "powershell": True, "changes": True, "build": "20348.2340 (Windows Server 2022)",
        "locked_user": "CONTOSO\\alice", "disconnected_user": "CONTOSO\\bob",
        "sessions": {"changed": False, "sessions": [ALICE, BOB], "warnings": []},
        "locked": {"changed": False, "sessions": [ALICE]},
        "disconnected": {"changed": False, "sessions": [BOB]},
        "processes": {"changed": False, "servers": [{"server": None, "cpu_time_unit": "ms",
                                                     "cpu_time_unit_checked": True}]},
        "servers": {"changed": False, "servers": []},
        "wait": {"changed": False, "servers": [{"server": None, "timed_out": True}], "events": []},
        "channel": {"changed": True, "reply_base64": "d3RzYWRtaW4="},
        "cache": {"changed": False, "rc": 0, "stdout": "entries 11\r\n"},
    }
    recorded.update(changes)
    return recorded


def verdicts(recorded):
    return {item["name"]: item["verdict"] for item in report(recorded)["assumptions"]}


def verdict(name, **changes):
    item = next(item for item in report(facts(**changes))["assumptions"] if item["name"] == name)
    return item["verdict"], item["observed"]


def test_a_host_as_documented_passes_everything():
    result = report(facts())
    assert set(verdicts(facts()).values()) == {"PASS"}
    assert result["counts"] == {"PASS": 7, "FAIL": 0, "UNKNOWN": 0}
    assert result["build"] == "20348.2340 (Windows Server 2022)"
    assert result["lines"][0] == "Windows build 20348.2340 (Windows Server 2022): 7 PASS, 0 FAIL, 0 UNKNOWN"
    assert [line.split()[:2] for line in result["lines"][1:8]] == [
        ["PASS", name] for name in ("disconnected_rdp_protocol", "cpu_time_unit", "dynamic_channel", "lock_flag",
                                    "server_version", "powershell_command", "bytecode_cache")]
    assert result["lines"][8:] == ["module  %-25s ran" % name for name in (
        "win_rds_session_info", "win_rds_process_info", "win_rds_server_info", "win_rds_wait")]


def test_a_disconnected_rdp_session_reporting_the_console_protocol_fails():
    console = dict(BOB, client_protocol="console")
    assert verdict("disconnected_rdp_protocol", disconnected={"sessions": [console]}) == (
        "FAIL", "session 3 of CONTOSO\\bob reports protocol console")


@pytest.mark.parametrize("changes, why", [
    ({"disconnected_user": None, "disconnected": SKIPPED}, "no test session given (validate_host_disconnected_user)"),
    ({"disconnected": {"sessions": []}}, "CONTOSO\\bob has no disconnected session on this host"),
    ({"disconnected": {"failed": True, "msg": "Access is denied."}}, "win_rds_session_info failed: Access is denied."),
])
def test_the_protocol_is_unknown_without_a_disconnected_test_session(changes, why):
    assert verdict("disconnected_rdp_protocol", **changes) == ("UNKNOWN", why)


@pytest.mark.parametrize("unit, checked, expected", [
    ("ms", True, "PASS"), ("100ns", True, "FAIL"), ("ms", False, "UNKNOWN")])
def test_the_cpu_time_unit_is_what_the_host_settled(unit, checked, expected):
    processes = {"servers": [{"cpu_time_unit": unit, "cpu_time_unit_checked": checked}]}
    found, observed = verdict("cpu_time_unit", processes=processes)
    assert found == expected
    assert unit in observed


def test_a_channel_that_does_not_open_fails_with_the_modules_message():
    failed = {"failed": True, "msg": "WTSVirtualChannelOpenEx failed: Element not found. (1168)"}
    assert verdict("dynamic_channel", channel=failed) == (
        "FAIL", "it did not open: WTSVirtualChannelOpenEx failed: Element not found. (1168)")
    assert verdict("dynamic_channel", channel={"changed": True, "reply_base64": None}) == (
        "PASS", "it opened; the client did not answer")


@pytest.mark.parametrize("changes", [{"changes": False, "channel": SKIPPED}, {"channel": SKIPPED}])
def test_the_channel_is_unknown_when_it_was_not_tried(changes):
    found, observed = verdict("dynamic_channel", **changes)
    assert found == "UNKNOWN"
    assert observed.startswith("not tried")


@pytest.mark.parametrize("flag, expected", [(True, "PASS"), (False, "FAIL"), (None, "UNKNOWN")])
def test_the_lock_flag_of_the_locked_test_session(flag, expected):
    found, observed = verdict("lock_flag", locked={"sessions": [dict(ALICE, locked=flag)]})
    assert found == expected
    assert observed.startswith("session 2 of CONTOSO\\alice reports locked %s" % str(flag).lower().replace("none", "null"))


def test_the_lock_flag_is_unknown_without_a_locked_test_session():
    assert verdict("lock_flag", locked_user=None, locked=SKIPPED)[0] == "UNKNOWN"
    assert verdict("lock_flag", locked={"sessions": []}) == (
        "UNKNOWN", "CONTOSO\\alice has no active (connected) session on this host")


def test_an_unread_server_version_fails_with_the_modules_warning():
    warning = ("The lock state is reported as Windows gives it, which is inverted on Windows 7 and Windows Server "
               "2008 R2 only; the Windows version could not be read to tell: The Server service is not started.")
    sessions = {"sessions": [ALICE], "warnings": [warning]}
    assert verdict("server_version", sessions=sessions) == ("FAIL", warning)


def test_the_server_version_is_unknown_when_nothing_needed_it():
    sessions = {"sessions": [BOB], "warnings": []}
    assert verdict("server_version", sessions=sessions)[0] == "UNKNOWN"


def test_the_powershell_command_passes_or_fails_by_the_modules_over_a_powershell_connection():
    assert verdict("powershell_command")[0] == "PASS"
    failed = {"failed": True, "msg": "No Python found on the host"}
    assert verdict("powershell_command", processes=failed) == (
        "FAIL", "win_rds_process_info did not run: No Python found on the host")


def test_the_powershell_command_is_unknown_over_another_connection():
    found, observed = verdict("powershell_command", connection="local", powershell=False)
    assert (found, observed) == ("UNKNOWN", "not a PowerShell connection (local): the collection's command is not "
                                            "PowerShell here")


def test_a_failed_module_is_reported_and_leaves_its_checks_unknown():
    failed = {"failed": True, "msg": "Access is denied.\nAsk for the RDS permissions."}
    result = report(facts(sessions=failed, servers={"failed": True, "msg": "Error 6118"}, build=None))
    assert result["build"] == "unknown"
    assert verdicts(facts(sessions=failed))["server_version"] == "UNKNOWN"
    assert result["lines"][-4] == "module  win_rds_session_info      failed: Access is denied. Ask for the RDS permissions."
    assert result["lines"][-2] == "module  win_rds_server_info       failed: Error 6118"
    assert report(facts(wait=None))["lines"][-1] == "module  win_rds_wait              not run"


@pytest.mark.parametrize("bad", ["RDSH01", None, [facts()]])
def test_wrong_input_is_a_clear_error(bad):
    with pytest.raises(AnsibleFilterError, match="expects a dict of recorded results"):
        report(bad)


def test_the_documentation_names_each_assumption():
    documentation = yaml.safe_load(DOCUMENTATION)
    text = " ".join(documentation["description"])
    for name in verdicts(facts()):
        assert "V(%s)" % name in text


WHERE = "%LOCALAPPDATA%\\wtsadmin.rds\\bytecode"


def test_entries_in_the_bytecode_cache_pass_and_none_fail():
    assert verdict("bytecode_cache") == (
        "PASS", "11 entries in %s: its ACL checks passed, tasks load compiled code" % WHERE)
    refused = ("in %s after the modules ran: the runner's ACL checks refused it (docs/security.md, \"The bytecode "
               "cache on the host\"), so every task compiles its sources" % WHERE)
    assert verdict("bytecode_cache", cache={"rc": 0, "stdout": "entries 0\r\n"}) == ("FAIL", "no entry " + refused)
    assert verdict("bytecode_cache", cache={"rc": 0, "stdout": "no cache directory\r\n"}) == (
        "FAIL", "no cache directory " + refused)
    assert verdict("bytecode_cache", cache={"rc": 0, "stdout": "LOCALAPPDATA is not set\r\n"}) == (
        "FAIL", "LOCALAPPDATA is not set for this connection's logon: no cache, every task compiles its sources")


@pytest.mark.parametrize("changes, why", [
    ({"connection": "local", "powershell": False, "cache": SKIPPED},
     "not a PowerShell connection (local): the entries are counted with PowerShell"),
    ({"sessions": {"failed": True, "msg": "No Python found"}}, "no module ran, so nothing could be cached: No Python found"),
    ({"cache": {"failed": True, "msg": "non-zero return code"}}, "the entries could not be counted: non-zero return code"),
    ({"cache": {"rc": 0, "stdout": "entries many"}}, "the count gave 'entries many'"),
])
def test_the_bytecode_cache_is_unknown_when_it_cannot_be_told(changes, why):
    assert verdict("bytecode_cache", **changes) == ("UNKNOWN", why)
