"""The logon mode of the emulated host (rds_emulator/logons.py): the registry values behind it (RegConnectRegistryW,
RegOpenKeyExW, RegQueryValueExW, RegCloseKey, called raw), the emulated chglogon.exe, which logons and
reconnections each mode lets in, Group Policy, and what the emulated reboot resets."""

from __future__ import annotations

import ctypes
import os
import subprocess
from ctypes import byref, c_uint32, c_void_p

import pytest
import rds_emulator
from rds_emulator import logons

HKLM = c_void_p(-0x7FFFFFFE)  # (HKEY)(LONG)0x80000002
KEY_QUERY_VALUE = 0x1
TS_SUBKEY = "SYSTEM\\CurrentControlSet\\Control\\Terminal Server"
WINLOGON_SUBKEY = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"


def wide(text):
    data = text.encode("utf-16-le") + b"\0\0"
    return ctypes.create_string_buffer(data, len(data))


@pytest.fixture
def advapi32(emulator):
    dll = ctypes.WinDLL("advapi32", use_last_error=True)
    for function, argtypes in (
            (dll.RegConnectRegistryW, [c_void_p, c_void_p, ctypes.POINTER(c_void_p)]),
            (dll.RegOpenKeyExW, [c_void_p, c_void_p, c_uint32, c_uint32, ctypes.POINTER(c_void_p)]),
            (dll.RegQueryValueExW, [c_void_p, c_void_p, c_void_p, ctypes.POINTER(c_uint32), c_void_p,
                                    ctypes.POINTER(c_uint32)]),
            (dll.RegCloseKey, [c_void_p])):
        function.restype, function.argtypes = c_uint32, argtypes
    return dll


def query(advapi32, root, subkey, name):
    """(status, type, bytes) of one value, the key opened and closed."""
    key = c_void_p()
    status = advapi32.RegOpenKeyExW(root, wide(subkey), 0, KEY_QUERY_VALUE, byref(key))
    if status:
        return status, None, None
    try:
        kind, size = c_uint32(), c_uint32()
        status = advapi32.RegQueryValueExW(key, wide(name), None, byref(kind), None, byref(size))
        if status:
            return status, None, None
        data = ctypes.create_string_buffer(size.value)
        status = advapi32.RegQueryValueExW(key, wide(name), None, byref(kind), data, byref(size))
        return status, kind.value, data.raw[:size.value]
    finally:
        assert advapi32.RegCloseKey(key) == 0


def local_server(emulator):
    return emulator.state["servers"]["RDSH01"]


# --- registry ---------------------------------------------------------------------------------------

def test_the_default_host_reads_as_enabled_from_the_registry(emulator, advapi32):
    assert query(advapi32, HKLM, TS_SUBKEY, "TSServerDrainMode") == (0, 4, b"\0\0\0\0")
    assert query(advapi32, HKLM, WINLOGON_SUBKEY, "WinStationsDisabled") == (0, 1, "0\0".encode("utf-16-le"))
    assert logons.logon_mode(local_server(emulator)) == "enabled"


def test_a_missing_value_or_key_is_file_not_found_and_a_small_buffer_more_data(emulator, advapi32):
    assert query(advapi32, HKLM, TS_SUBKEY, "NoSuchValue")[0] == 2
    assert query(advapi32, HKLM, "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services", "fDenyTSConnections")[0] == 2
    key = c_void_p()
    assert advapi32.RegOpenKeyExW(HKLM, wide(TS_SUBKEY), 0, KEY_QUERY_VALUE, byref(key)) == 0
    size, data = c_uint32(2), ctypes.create_string_buffer(2)
    assert advapi32.RegQueryValueExW(key, wide("TSServerDrainMode"), None, None, data, byref(size)) == 234
    assert size.value == 4
    assert advapi32.RegCloseKey(key) == 0


def test_remote_registry_needs_the_remote_registry_service(emulator, advapi32):
    root = c_void_p()
    assert advapi32.RegConnectRegistryW(wide("\\\\RDSH02"), HKLM, byref(root)) == 0
    try:
        assert query(advapi32, root, TS_SUBKEY, "TSServerDrainMode")[0] == 0
    finally:
        assert advapi32.RegCloseKey(root) == 0
    emulator.state["servers"]["RDSH02"]["remote_registry"] = False
    assert advapi32.RegConnectRegistryW(wide("\\\\RDSH02"), HKLM, byref(root)) == 53
    assert advapi32.RegConnectRegistryW(wide("\\\\RDSH03"), HKLM, byref(root)) == 53  # unreachable
    assert advapi32.RegConnectRegistryW(wide("\\\\NOSUCH"), HKLM, byref(root)) == 53


def test_an_unclosed_key_is_a_leak(emulator, advapi32):
    key = c_void_p()
    assert advapi32.RegOpenKeyExW(HKLM, wide(TS_SUBKEY), 0, KEY_QUERY_VALUE, byref(key)) == 0
    assert any("regkey" in problem for problem in emulator.clear_problems())


def test_get_system_directory_holds_the_emulated_chglogon(emulator):
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.GetSystemDirectoryW.restype = c_uint32
    kernel32.GetSystemDirectoryW.argtypes = [c_void_p, c_uint32]
    needed = kernel32.GetSystemDirectoryW(None, 0)
    buffer = ctypes.create_string_buffer(2 * needed)
    assert kernel32.GetSystemDirectoryW(buffer, needed) == needed - 1
    directory = buffer.raw.decode("utf-16-le").rstrip("\0")
    assert os.access(os.path.join(directory, "chglogon.exe"), os.X_OK)


# --- chglogon.exe -----------------------------------------------------------------------------------

def run_chglogon(emulator_file, *arguments, env=None):
    program = os.path.join(os.path.dirname(rds_emulator.__file__), "system32", "chglogon.exe")
    environment = dict(os.environ, RDS_EMULATOR_STATE=emulator_file.path)
    environment.update(env or {})
    return subprocess.run([program, *arguments], env=environment, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("switch, mode, drain, disabled", [
    ("/drain", "drain", 2, "0"), ("/DRAINUNTILRESTART", "drain_until_restart", 1, "0"),
    ("/disable", "disabled", 0, "1"), ("/enable", "enabled", 0, "0")])
def test_chglogon_writes_the_documented_registry_values(emulator_file, switch, mode, drain, disabled):
    assert run_chglogon(emulator_file, switch).returncode == 0
    server = emulator_file.state["servers"]["RDSH01"]
    assert logons.logon_mode(server) == mode
    assert logons.value(server, logons.TERMINAL_SERVER_KEY, "TSServerDrainMode")["data"] == drain
    assert logons.value(server, logons.WINLOGON_KEY, "WinStationsDisabled")["data"] == disabled
    assert emulator_file.mutating_calls[-1] == {"function": "chglogon.exe", "server": "RDSH01",
                                                "args": {"switch": switch.lower()}}


def test_chglogon_enable_ends_a_drain_and_disable_keeps_the_drain_value_underneath(emulator_file):
    run_chglogon(emulator_file, "/drain")
    run_chglogon(emulator_file, "/disable")
    server = emulator_file.state["servers"]["RDSH01"]
    assert logons.logon_mode(server) == "disabled"
    assert logons.value(server, logons.TERMINAL_SERVER_KEY, "TSServerDrainMode")["data"] == 2
    run_chglogon(emulator_file, "/enable")
    assert logons.logon_mode(emulator_file.state["servers"]["RDSH01"]) == "enabled"


def test_chglogon_fails_without_change_for_a_bad_switch_a_non_administrator_or_an_injected_fault(emulator_file):
    assert run_chglogon(emulator_file, "/bogus").returncode == 1
    assert run_chglogon(emulator_file).returncode == 1
    with emulator_file.edit() as state:
        state["administrator"] = False
    refused = run_chglogon(emulator_file, "/drain")
    assert refused.returncode == 1 and "administrator" in refused.stderr
    with emulator_file.edit() as state:
        state["administrator"] = True
    emulator_file.inject("chglogon.exe", 5)
    assert run_chglogon(emulator_file, "/drain").returncode == 1
    assert logons.logon_mode(emulator_file.state["servers"]["RDSH01"]) == "enabled"
    assert run_chglogon(emulator_file, "/drain").returncode == 0  # the fault was used up


def test_chglogon_query_prints_text_and_changes_nothing(emulator_file):
    run = run_chglogon(emulator_file, "/query")
    assert run.returncode == 0 and "ENABLED" in run.stdout
    assert not emulator_file.mutating_calls


def test_chglogon_without_a_state_file_fails(emulator_file):
    assert run_chglogon(emulator_file, "/drain", env={"RDS_EMULATOR_STATE": "/nonexistent"}).returncode == 1


# --- who gets in --------------------------------------------------------------------------------------

NEWCOMER = rds_emulator.make_session(20, station="RDP-Tcp#20", user="dave", domain="CONTOSO")


def set_mode(emulator, mode, policy_denies=False):
    with emulator.edit() as state:
        server = state["servers"]["RDSH01"]
        logons.set_mode(server, mode)
        if policy_denies:
            logons.set_value(server, logons.POLICY_KEY, "fDenyTSConnections", logons.REG_DWORD, 1)


@pytest.mark.parametrize("mode, new_logon, reconnect", [
    ("enabled", True, True), ("drain", False, True), ("drain_until_restart", False, True), ("disabled", False, False)])
def test_each_mode_lets_in_what_change_logon_documents(emulator, mode, new_logon, reconnect):
    set_mode(emulator, mode)
    assert emulator.logon("RDSH01", NEWCOMER) is new_logon
    assert emulator.reconnect("RDSH01", 3) is reconnect  # bob's disconnected session
    assert (emulator.session("RDSH01", 20) is not None) is new_logon
    assert emulator.session("RDSH01", 3)["state"] == ("active" if reconnect else "disconnected")
    refused = local_server(emulator)["refused_logons"]
    assert [entry["reconnect"] for entry in refused] == [False] * (not new_logon) + [True] * (not reconnect)


def test_the_console_is_never_refused(emulator):
    set_mode(emulator, "disabled")
    assert emulator.logon("RDSH01", rds_emulator.make_session(21, station="Console", protocol="console", user="admin"))


def test_group_policy_denying_connections_refuses_logons_and_reconnections_in_any_mode(emulator):
    set_mode(emulator, "enabled", policy_denies=True)
    assert not emulator.logon("RDSH01", NEWCOMER)
    assert not emulator.reconnect("RDSH01", 3)
    assert all("Group Policy" in entry["reason"] for entry in local_server(emulator)["refused_logons"])


def test_scripted_logon_events_are_refused_while_draining_and_reconnections_go_through(emulator):
    set_mode(emulator, "drain_until_restart")
    emulator.state["servers"]["RDSH01"]["events"] = [
        rds_emulator.make_event(0, ["logon"], add_session=NEWCOMER),
        rds_emulator.make_event(0, ["connect"], session_id=3, reconnect=True)]
    emulator.state["servers"]["RDSH01"]["events"][0]["due_at"] = 0
    emulator.state  # time passes: both events are due
    emulator.state  # (the second is armed when the first fires)
    server = local_server(emulator)
    assert emulator.session("RDSH01", 20) is None
    assert emulator.session("RDSH01", 3)["state"] == "active"
    assert [entry["user"] for entry in server["refused_logons"]] == ["dave"]
    assert [event["flags"] for event in server["fired_events"]] == [0x8]  # only the reconnection was reported


# --- the emulated reboot ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode, after", [
    ("drain_until_restart", "enabled"), ("drain", "drain"), ("disabled", "enabled"), ("enabled", "enabled")])
def test_a_reboot_ends_drain_until_restart_and_disabled_but_not_drain(emulator, mode, after):
    set_mode(emulator, mode)
    emulator.state["servers"]["RDSH01"]["reboot_seconds"] = 0
    emulator.state["enabled_privileges"] = ["SeShutdownPrivilege"]  # wtsshutdownsystem: it must be enabled
    wts = ctypes.WinDLL("wtsapi32", use_last_error=True)
    wts.WTSShutdownSystem.restype, wts.WTSShutdownSystem.argtypes = c_uint32, [c_void_p, c_uint32]
    assert wts.WTSShutdownSystem(None, 0x4)  # WTS_WSD_REBOOT
    server = local_server(emulator)
    assert server["reachable"] and server["boots"] == 1
    assert logons.logon_mode(server) == after
    assert [s["id"] for s in server["sessions"]] == [0, 1, 65536]
    assert not any(s["user"] for s in server["sessions"])


def test_without_reboot_seconds_a_rebooted_server_stays_down(emulator):
    emulator.state["enabled_privileges"] = ["SeShutdownPrivilege"]  # wtsshutdownsystem: it must be enabled
    wts = ctypes.WinDLL("wtsapi32", use_last_error=True)
    wts.WTSShutdownSystem.restype, wts.WTSShutdownSystem.argtypes = c_uint32, [c_void_p, c_uint32]
    assert wts.WTSShutdownSystem(None, 0x4)
    assert not local_server(emulator)["reachable"]
