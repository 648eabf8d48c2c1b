# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ctypes base: loading, errors, UTF-16 text, FILETIME and account lookups, against the emulator."""

from __future__ import annotations

import ctypes
import datetime
import os
import struct
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.wtsadmin.rds.plugins.module_utils import netapi, winapi, wts
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError

ALICE_SID = "S-1-5-21-1004336348-1177238915-682003330-1104"
UTC = datetime.timezone.utc


def sid_buffer(text):
    """A binary SID in memory, as Windows lays it out, for a SID string."""
    _s, revision, authority, *subs = text.split("-")
    data = struct.pack("<BB", int(revision), len(subs)) + int(authority).to_bytes(6, "big")
    data += struct.pack("<%dI" % len(subs), *(int(sub) for sub in subs))
    return ctypes.create_string_buffer(data, len(data))


ALICE = sid_buffer(ALICE_SID)
SYSTEM_SID = sid_buffer("S-1-5-18")


# --- without Windows --------------------------------------------------------------------------------

@pytest.mark.parametrize("call, function", [
    (lambda: wts.enumerate_sessions(None), "WTSEnumerateSessionsExW"),
    (lambda: wts.open_server("RDSH02").__enter__(), "WTSOpenServerExW"),
    (lambda: wts.logoff_session(None, 2), "WTSLogoffSession"),
    (netapi.server_enum, "NetServerEnum"),
    (lambda: winapi.lookup_account(ctypes.addressof(SYSTEM_SID), {}), "LookupAccountSidW"),
])
def test_without_windows_every_call_fails_naming_the_function(call, function):
    with pytest.raises(WinApiError) as raised:
        call()
    assert raised.value.function == function
    assert "only available on Windows" in str(raised.value)


def test_importing_the_wrapper_loads_no_dll():
    script = ("import ctypes\n"
              "ctypes.WinDLL = lambda *args, **kwargs: print('loaded', args)\n"
              "from ansible_collections.wtsadmin.rds.plugins.module_utils import netapi, winapi, wts\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert result.stdout == ""


# --- errors -----------------------------------------------------------------------------------------

def test_error_reads_function_code_and_text():
    error = WinApiError("WTSLogoffSession", 5, "Access is denied.")
    assert str(error) == "WTSLogoffSession failed: [5] Access is denied."
    assert (error.function, error.code, error.text, error.server) == ("WTSLogoffSession", 5, "Access is denied.", None)


def test_error_names_the_server_when_known():
    error = WinApiError("WTSEnumerateSessionsExW", 1722, "The RPC server is unavailable.", server="RDSH03")
    assert str(error) == "WTSEnumerateSessionsExW failed on RDSH03: [1722] The RPC server is unavailable."


def test_error_text_is_the_system_message(emulator):
    assert WinApiError("WTSLogoffSession", 5).text == ctypes.FormatError(5).strip()
    assert WinApiError("WTSLogoffSession", 5).text


# --- DLLs and exports -------------------------------------------------------------------------------

def test_a_dll_is_loaded_once(emulator):
    assert winapi.load_dll("wtsapi32") is winapi.load_dll("wtsapi32")


def test_a_replaced_loader_gets_a_fresh_dll(emulator, monkeypatch):
    first = winapi.load_dll("wtsapi32")
    loader = ctypes.WinDLL

    def another_loader(name, **kwargs):
        return loader(name, **kwargs)

    monkeypatch.setattr(ctypes, "WinDLL", another_loader)
    assert winapi.load_dll("wtsapi32") is not first


def test_a_missing_export_is_error_127(emulator):
    emulator.state["hidden_exports"].append("WTSEnumerateSessionsExW")
    with pytest.raises(WinApiError) as raised:
        winapi.api("wtsapi32", "WTSEnumerateSessionsExW", wts.WTSAPI32["WTSEnumerateSessionsExW"])
    assert (raised.value.function, raised.value.code) == ("WTSEnumerateSessionsExW", 127)


# --- UTF-16 text ------------------------------------------------------------------------------------

def test_wide_is_nul_terminated_utf16le_with_surrogate_pairs():
    assert bytes(winapi.wide("Zoë 😀")) == "Zoë 😀".encode("utf-16-le") + b"\0\0"
    assert ctypes.sizeof(winapi.wide("😀")) == 6  # two code units and the terminator


def test_wide_of_none_is_a_null_pointer():
    assert winapi.wide(None) is None


@given(st.text().filter(lambda text: "\0" not in text))
def test_read_wide_returns_what_wide_wrote(text):
    buffer = winapi.wide(text)
    assert winapi.read_wide(ctypes.addressof(buffer)) == text


def test_read_wide_stops_at_the_given_length_or_the_first_nul():
    buffer = winapi.wide("RDP-Tcp#7")
    assert winapi.read_wide(ctypes.addressof(buffer), 3) == "RDP"
    assert winapi.read_wide(ctypes.addressof(buffer), 40) == "RDP-Tcp#7"


def test_read_wide_of_null_is_none():
    assert winapi.read_wide(None) is None
    assert winapi.read_wide(0) is None


def test_invalid_utf16_is_replaced_not_fatal():
    assert winapi.decode_wide(b"\x00\xd8A\x00\x00\x00") == "\ufffdA"


# --- FILETIME ---------------------------------------------------------------------------------------

def test_filetime_is_an_aware_utc_datetime():
    value = winapi.filetime_to_datetime(116444736000000000 + 10 * 1_500_000)
    assert value == datetime.datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=UTC)
    assert value.utcoffset() == datetime.timedelta(0)


def test_filetime_zero_means_never():
    assert winapi.filetime_to_datetime(0) is None


# --- masks ------------------------------------------------------------------------------------------

def test_flag_mask_takes_an_int_a_name_or_names():
    flags = {"create": 1, "logon": 0x20}
    assert winapi.flag_mask(0x21, flags, "event") == 0x21
    assert winapi.flag_mask("logon", flags, "event") == 0x20
    assert winapi.flag_mask(["create", "logon"], flags, "event") == 0x21


def test_flag_mask_rejects_an_unknown_name_listing_the_known_ones():
    with pytest.raises(ValueError, match="unknown event 'logn'; known: create, logon"):
        winapi.flag_mask(["logn"], {"create": 1, "logon": 0x20}, "event")


# --- accounts ---------------------------------------------------------------------------------------

def test_lookup_account_gives_domain_user_and_sid_string(emulator):
    assert winapi.lookup_account(ctypes.addressof(ALICE), {}) == ("CONTOSO\\alice", ALICE_SID)


def test_lookup_account_asks_windows_once_per_distinct_sid(emulator):
    cache, sids = {}, [sid_buffer(text) for text in (ALICE_SID, "S-1-5-18")] * 3
    for sid in sids:
        winapi.lookup_account(ctypes.addressof(sid), cache)
    assert emulator.calls["LookupAccountSidW"] == 2
    assert emulator.calls["ConvertSidToStringSidW"] == 2


def test_an_unresolvable_sid_keeps_its_string(emulator):
    unknown = "S-1-5-21-1-2-3-999"
    sid = sid_buffer(unknown)
    assert winapi.lookup_account(ctypes.addressof(sid), {}) == (None, unknown)


def test_a_null_sid_has_no_owner(emulator):
    assert winapi.lookup_account(None, {}) == (None, None)
    assert emulator.calls["LookupAccountSidW"] == 0


def test_a_long_account_name_is_read_with_the_size_windows_asks_for(emulator):
    long_name = "u" * 300
    emulator.state["accounts"][ALICE_SID] = "CONTOSO\\" + long_name
    sid = sid_buffer(ALICE_SID)
    assert winapi.lookup_account(ctypes.addressof(sid), {})[0] == "CONTOSO\\" + long_name
    assert emulator.calls["LookupAccountSidW"] == 2


def test_a_failed_lookup_raises_with_the_server_asked(emulator):
    emulator.inject("LookupAccountSidW", 1722)
    with pytest.raises(WinApiError) as raised:
        winapi.lookup_account(ctypes.addressof(ALICE), {}, server="RDSH02")
    assert (raised.value.function, raised.value.code, raised.value.server) == ("LookupAccountSidW", 1722, "RDSH02")


def test_a_failed_sid_conversion_raises(emulator):
    emulator.inject("ConvertSidToStringSidW", 8)
    with pytest.raises(WinApiError) as raised:
        winapi.lookup_account(ctypes.addressof(ALICE), {})
    assert (raised.value.function, raised.value.code) == ("ConvertSidToStringSidW", 8)


def test_qualified_name_leaves_out_an_empty_domain():
    assert winapi.qualified_name("", "Everyone") == "Everyone"
    assert winapi.qualified_name("BUILTIN", "Administrators") == "BUILTIN\\Administrators"
    assert winapi.qualified_name("CONTOSO", "") is None


# --- privileges -------------------------------------------------------------------------------------

def test_privilege_enabled_enables_a_held_privilege_for_the_block_only_and_closes_the_token(emulator):
    with winapi.privilege_enabled("SeShutdownPrivilege"):
        assert emulator.state["enabled_privileges"] == ["SeShutdownPrivilege"]
        assert emulator.calls["CloseHandle"] == 0

    assert emulator.state["enabled_privileges"] == []
    assert (emulator.calls["OpenProcessToken"], emulator.calls["CloseHandle"]) == (1, 1)
    assert emulator.calls["GetCurrentProcess"] == 1


def test_the_previous_state_is_restored_also_when_the_block_fails(emulator):
    with pytest.raises(RuntimeError):
        with winapi.privilege_enabled("SeShutdownPrivilege"):
            raise RuntimeError("the call failed")

    assert emulator.state["enabled_privileges"] == []
    assert emulator.calls["CloseHandle"] == 1


def test_a_privilege_the_account_lacks_stays_off_without_an_error(emulator):
    emulator.state["held_privileges"] = []

    with winapi.privilege_enabled("SeShutdownPrivilege"):
        assert emulator.state.get("enabled_privileges", []) == []

    assert emulator.calls["AdjustTokenPrivileges"] == 1  # nothing changed, nothing to put back
    assert emulator.calls["CloseHandle"] == 1


def test_an_unknown_privilege_name_raises_and_still_closes_the_token(emulator):
    with pytest.raises(WinApiError) as raised:
        with winapi.privilege_enabled("SeNoSuchPrivilege"):
            pass
    assert (raised.value.function, raised.value.code) == ("LookupPrivilegeValueW", 1313)
    assert emulator.calls["CloseHandle"] == 1


@pytest.mark.parametrize("function, closed", [("OpenProcessToken", 0), ("LookupPrivilegeValueW", 1),
                                              ("AdjustTokenPrivileges", 1)])
def test_a_failed_call_raises_and_closes_the_token_if_it_was_opened(emulator, function, closed):
    emulator.inject(function, 5)
    with pytest.raises(WinApiError) as raised:
        with winapi.privilege_enabled("SeShutdownPrivilege"):
            pass
    assert (raised.value.function, raised.value.code) == (function, 5)
    assert emulator.calls["CloseHandle"] == closed


# --- this process and the process tree --------------------------------------------------------------

def test_current_process_id_is_windows_pid(emulator):
    assert winapi.current_process_id() == emulator.state["current_process_id"]


def test_process_tree_lists_pid_parent_and_exe_of_every_local_process(emulator):
    local = emulator.state["servers"][emulator.state["local_server"]]["processes"]
    expected = sorted((p["pid"], p["parent_pid"], p["name"]) for p in local)
    assert sorted((p["pid"], p["parent_pid"], p["name"]) for p in winapi.process_tree()) == expected
    assert emulator.calls["CloseHandle"] == 1


def test_a_failed_snapshot_raises(emulator):
    emulator.inject("CreateToolhelp32Snapshot", 8)
    with pytest.raises(WinApiError) as raised:
        winapi.process_tree()
    assert (raised.value.function, raised.value.code) == ("CreateToolhelp32Snapshot", 8)
    assert emulator.calls["CloseHandle"] == 0


def test_a_failure_while_walking_the_snapshot_raises_and_closes_it(emulator):
    emulator.inject("Process32NextW", 31)
    with pytest.raises(WinApiError) as raised:
        winapi.process_tree()
    assert (raised.value.function, raised.value.code) == ("Process32NextW", 31)
    assert emulator.calls["CloseHandle"] == 1


def test_iso_times_are_utc_with_a_z():
    moment = datetime.datetime(2026, 3, 14, 10, 2, 11, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert winapi.iso_time(moment) == "2026-03-14T08:02:11Z"
    assert winapi.iso_time(None) is None
