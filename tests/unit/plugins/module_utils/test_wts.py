# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The wtsapi32 wrapper against the emulated RD Session Host (the sample farm of tests/emulator).

The ``emulator`` fixture fails a test that leaks a buffer or handle, frees with the wrong function,
class or count, or passes character counts where Windows wants bytes.
"""

from __future__ import annotations

import base64
import ctypes
import datetime

import pytest
import rds_emulator

from ansible_collections.wtsadmin.rds.plugins.module_utils import wts, winconst
from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError

ALICE_SID = "S-1-5-21-1004336348-1177238915-682003330-1104"
LISTENER = 65536


def at(hhmmss):
    return datetime.datetime.fromisoformat("2026-03-14T%s+00:00" % hhmmss)


def rdsh01(emulator):
    return emulator.state["servers"]["RDSH01"]


def raised_by(call, *args, **kwargs):
    with pytest.raises(WinApiError) as raised:
        call(*args, **kwargs)
    return raised.value


# --- open_server ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [None, "", ".", "localhost", "LocalHost"])
def test_the_local_server_needs_no_handle(emulator, name):
    with wts.open_server(name) as handle:
        assert handle is winconst.WTS_CURRENT_SERVER_HANDLE
        assert 2 in [session["session_id"] for session in wts.enumerate_sessions(handle)]
    assert emulator.calls["WTSOpenServerExW"] == emulator.calls["WTSOpenServerW"] == 0


@pytest.mark.parametrize("name", ["rdsh01", "RDSH01", "rdsh01.contoso.com", "RDSH01.Contoso.COM.", "127.0.0.1",
                                  "::1"])
def test_the_machine_named_by_its_own_netbios_or_fully_qualified_name_needs_no_handle(emulator, name):
    with wts.open_server(name) as handle:
        assert handle is winconst.WTS_CURRENT_SERVER_HANDLE
    assert emulator.calls["WTSOpenServerExW"] == emulator.calls["WTSOpenServerW"] == 0


@pytest.mark.parametrize("name", ["RDSH02", "rdsh01x.contoso.com", "rdsh01.fabrikam.com", "rdsh01.contoso",
                                  "10.20.0.99"])
def test_a_name_that_is_not_certainly_this_machine_goes_through_rpc(emulator, monkeypatch, name):
    monkeypatch.setenv("COMPUTERNAME", "RDSH01")  # as Windows sets it for every process
    # rdsh01.fabrikam.com shares only the first DNS label with this machine (rdsh01.contoso.com): another host
    assert not wts.is_local_server(name)


def test_a_dotted_name_on_a_machine_outside_any_dns_domain_is_not_local(emulator, monkeypatch):
    monkeypatch.setenv("COMPUTERNAME", "RDSH01")
    rdsh01(emulator)["dns_domain"] = ""
    assert wts.is_local_server("rdsh01")
    assert not wts.is_local_server("rdsh01.contoso.com")


@pytest.mark.parametrize("name", ["10.20.0.11", "fd00::11", "[FD00::11]", "fd00::11%12"])
def test_an_own_address_of_this_machine_needs_no_handle(emulator, name):
    # issue #12 item 4: an IP address is compared with this machine's own unicast addresses
    # (GetUnicastIpAddressTable); RDSH01 has 10.20.0.11 and fd00::11 besides the loopback addresses
    emulator.state["servers"]["RDSH01"]["addresses"] = ["127.0.0.1", "::1", "10.20.0.11", "fd00::11"]
    with wts.open_server(name) as handle:
        assert handle is winconst.WTS_CURRENT_SERVER_HANDLE
    assert emulator.calls["WTSOpenServerExW"] == emulator.calls["WTSOpenServerW"] == 0
    assert emulator.calls["GetUnicastIpAddressTable"] == emulator.calls["FreeMibTable"] == 1


def test_an_address_that_is_not_this_machines_goes_through_rpc(emulator):
    # 10.20.0.11 reaches RDSH01 (say through a load balancer) but is none of its own addresses
    emulator.state["servers"]["RDSH01"]["addresses"] = ["127.0.0.1", "::1", "10.20.0.12"]
    with wts.open_server("10.20.0.11") as handle:
        assert handle is not winconst.WTS_CURRENT_SERVER_HANDLE
        assert 2 in [session["session_id"] for session in wts.enumerate_sessions(handle)]
    assert emulator.calls["WTSOpenServerExW"] == 1


@pytest.mark.parametrize("status", [5, 8, 50])
def test_when_the_own_addresses_cannot_be_read_an_address_goes_through_rpc(emulator, status):
    emulator.inject("GetUnicastIpAddressTable", status)
    assert not wts.is_local_server("10.20.0.11")
    assert wts.is_local_server("127.0.0.1")  # loopback needs no table


def test_a_machine_without_addresses_has_no_own_address(emulator):
    # GetUnicastIpAddressTable: ERROR_NOT_FOUND "if no unicast IP address entries ... were found"
    emulator.state["servers"]["RDSH01"]["addresses"] = []
    assert not wts.is_local_server("10.20.0.11")


def test_when_the_computer_name_cannot_be_read_a_name_goes_through_rpc(emulator):
    emulator.inject("GetComputerNameExW", 5, times=None)
    assert not wts.is_local_server("rdsh01")
    assert wts.is_local_server("localhost")
    with wts.open_server("rdsh01") as handle:
        assert handle is not winconst.WTS_CURRENT_SERVER_HANDLE


def test_a_named_server_is_opened_and_closed(emulator):
    with wts.open_server("RDSH02") as handle:
        assert [s["username"] for s in wts.enumerate_sessions(handle)] == [None, "dave", "erin", None]
    assert (emulator.calls["WTSOpenServerExW"], emulator.calls["WTSCloseServer"]) == (1, 1)


def test_a_named_server_is_opened_with_the_classic_call_where_the_ex_export_is_missing(emulator):
    emulator.state["hidden_exports"] = ["WTSOpenServerExW"]
    with wts.open_server("RDSH02") as handle:
        assert len(wts.enumerate_sessions(handle)) == 4
    assert (emulator.calls["WTSOpenServerW"], emulator.calls["WTSCloseServer"]) == (1, 1)


def test_the_server_handle_is_closed_when_the_work_fails(emulator):
    with pytest.raises(RuntimeError):
        with wts.open_server("RDSH02"):
            raise RuntimeError("boom")
    assert emulator.calls["WTSCloseServer"] == 1


def test_an_unreachable_server_fails_at_first_use_naming_it(emulator):
    with pytest.raises(WinApiError) as raised:
        with wts.open_server("RDSH03") as handle:
            wts.enumerate_sessions(handle)
    assert (raised.value.code, raised.value.server) == (1722, "RDSH03")
    assert "failed on RDSH03: [1722]" in str(raised.value)


def test_a_failed_open_raises_naming_the_server(emulator):
    emulator.inject("WTSOpenServerExW", 8)
    with pytest.raises(WinApiError) as raised:
        with wts.open_server("RDSH02"):
            pass
    assert (raised.value.function, raised.value.code, raised.value.server) == ("WTSOpenServerExW", 8, "RDSH02")
    assert emulator.calls["WTSCloseServer"] == 0


# --- enumerate_sessions -----------------------------------------------------------------------------

def test_sessions_are_listed_with_their_users(emulator):
    sessions = {s["session_id"]: s for s in wts.enumerate_sessions(None)}
    assert sorted(sessions) == [0, 1, 2, 3, 4, 5, 6, 7, LISTENER]
    assert sessions[2] == {"session_id": 2, "state": "active", "session_name": "RDP-Tcp#3", "host_name": "RDSH01",
                           "username": "alice", "domain": "CONTOSO", "farm_name": None}
    assert (sessions[0]["session_name"], sessions[0]["username"]) == ("Services", None)
    assert (sessions[3]["state"], sessions[3]["session_name"]) == ("disconnected", None)
    assert (sessions[5]["username"], sessions[5]["farm_name"]) == ("Zoë😀", "CONTOSO-FARM")
    assert sessions[LISTENER]["state"] == "listen"
    assert emulator.calls["WTSFreeMemoryExW"] == 1


@pytest.mark.parametrize("hide", [True, False], ids=["export missing", "not supported"])
def test_without_the_ex_function_sessions_come_from_the_classic_call(emulator, hide):
    if hide:
        emulator.state["hidden_exports"].append("WTSEnumerateSessionsExW")
    else:
        emulator.inject("WTSEnumerateSessionsExW", 50)
    sessions = {s["session_id"]: s for s in wts.enumerate_sessions(None)}
    assert sorted(sessions) == [0, 1, 2, 3, 4, 5, 6, 7, LISTENER]
    assert sessions[2] == {"session_id": 2, "state": "active", "session_name": "RDP-Tcp#3", "host_name": None,
                           "username": None, "domain": None, "farm_name": None}
    assert emulator.calls["WTSEnumerateSessionsW"] == 1


def test_an_old_remote_server_without_the_ex_procedure_gets_the_classic_call(emulator):
    emulator.inject("WTSEnumerateSessionsExW", 1745)
    assert len(wts.enumerate_sessions(None)) == 9
    assert emulator.calls["WTSEnumerateSessionsW"] == 1


def test_other_enumeration_failures_are_raised(emulator):
    emulator.inject("WTSEnumerateSessionsExW", 5)
    error = raised_by(wts.enumerate_sessions, None)
    assert (error.function, error.code) == ("WTSEnumerateSessionsExW", 5)
    assert emulator.calls["WTSEnumerateSessionsW"] == 0


# --- session_details: what each of its three WTSQuerySessionInformationW answers gives ---------------

def test_an_ipv6_client_address_is_read_as_microsoft_documents_it(emulator):
    # WTSCLIENTW.ClientAddress: an IPv6 address as its raw bytes, from ClientAddress[0].
    details = wts.session_details(None, 4)
    assert (details["client_address_family"], details["client_address"]) == ("inet6", "2001:db8:0:1::4")


@pytest.mark.parametrize("code, bits", [(1, 4), (2, 8), (4, 16), (8, 24), (16, 15), (24, 24), (32, 32)])
def test_the_client_color_depth_is_given_in_bits_per_pixel(emulator, code, bits):
    rdsh01(emulator)["sessions"][2]["client_display"]["color_depth"] = code
    assert wts.session_details(None, 2)["client_display"]["color_depth"] == bits


@pytest.mark.parametrize("session_id, protocol", [(1, "console"), (2, "rdp")])
def test_the_client_protocol_is_named(emulator, session_id, protocol):
    assert wts.session_details(None, session_id)["client_protocol"] == protocol


@pytest.mark.parametrize("session_id, locked", [(1, True), (2, False), (3, None)])
def test_session_info_ex_tells_the_lock_state(emulator, session_id, locked):
    assert wts.session_details(None, session_id)["locked"] is locked


@pytest.mark.parametrize("number", [25, 23, 16])  # WTSSessionInfoEx, WTSClientInfo, WTSClientProtocolType
def test_an_answer_shorter_than_its_structure_is_a_clear_windows_error(emulator, number):
    emulator.session("RDSH01", 2)["raw_answers"] = {str(number): "AQ=="}  # one byte
    error = raised_by(wts.session_details, None, 2)
    assert (error.function, error.code) == ("WTSQuerySessionInformationW", winconst.ERROR_INVALID_DATA)
    assert "returned 1 bytes where" in str(error)


def test_a_wtsinfoex_of_another_level_is_refused(emulator):
    answer = bytearray(ctypes.sizeof(wts.WTSINFOEXW))  # full size, Level 2
    answer[0:4] = (2).to_bytes(4, "little")
    emulator.session("RDSH01", 2)["raw_answers"] = {"25": base64.b64encode(bytes(answer)).decode("ascii")}
    error = raised_by(wts.session_details, None, 2)
    assert "level 2; only level 1 is documented" in str(error)


def test_a_query_of_a_vanished_session_says_the_session_is_gone(emulator):
    error = raised_by(wts.session_details, None, 42)
    assert (error.function, error.code) == ("WTSQuerySessionInformationW", 2)
    assert wts.session_gone(error)


def test_only_2_and_7022_mean_the_session_is_gone(emulator):
    emulator.inject("WTSQuerySessionInformationW", 7022)
    assert wts.session_gone(raised_by(wts.session_details, None, 2))
    emulator.inject("WTSQuerySessionInformationW", 5)
    assert not wts.session_gone(raised_by(wts.session_details, None, 2))


# --- session_details --------------------------------------------------------------------------------

def test_session_details_come_from_three_calls(emulator):
    details = wts.session_details(None, 2)
    assert details == {
        "session_id": 2, "session_name": "RDP-Tcp#3", "state": "active", "username": "alice", "domain": "CONTOSO",
        "logon_time": at("07:55:00"), "connect_time": at("07:55:00"), "disconnect_time": None,
        "last_input_time": at("08:59:30"), "current_time": at("09:01:30"), "locked": False,
        "incoming_bytes": 4_200_000, "outgoing_bytes": 91_000_000, "incoming_frames": 52_000,
        "outgoing_frames": 61_000, "incoming_compressed_bytes": 1_900_000, "outgoing_compressed_bytes": 40_000_000,
        "client_name": "LAPTOP-ALICE", "client_address": "10.20.30.41", "client_address_family": "inet",
        "client_build": 22621, "client_directory": "C:\\Windows\\System32\\mstscax.dll", "client_product_id": 1,
        "client_hardware_id": 0, "client_display": {"width": 1920, "height": 1080, "color_depth": 32},
        "client_protocol": "rdp", "is_remote": True,
    }
    assert emulator.calls["WTSQuerySessionInformationW"] == 3


def test_the_console_session_is_local_and_locked(emulator):
    details = wts.session_details(None, 1)
    assert (details["client_protocol"], details["is_remote"], details["locked"]) == ("console", False, True)


def test_a_session_without_a_user_or_client_has_none(emulator):
    details = wts.session_details(None, 6)
    assert (details["username"], details["domain"], details["logon_time"]) == (None, None, None)
    assert (details["client_address"], details["client_address_family"]) == (None, "unspec")
    assert details["disconnect_time"] == at("08:21:00")


def test_non_bmp_names_survive(emulator):
    details = wts.session_details(None, 5)
    assert (details["username"], details["client_name"]) == ("Zoë😀", "TABLET-ZOË")


def test_the_lock_flag_is_raw_on_windows_2008_r2(emulator):
    # dave's session is locked; Windows Server 2008 R2 reports the flag inverted, and the wrapper
    # leaves the correction to the caller, who knows the server's version.
    with wts.open_server("RDSH02") as handle:
        assert wts.session_details(handle, 1)["locked"] is False


def test_session_details_of_a_session_that_ended_says_so(emulator):
    emulator.inject("WTSQuerySessionInformationW", 7022, session_id=2)
    assert wts.session_gone(raised_by(wts.session_details, None, 2))


# --- disconnect and log off -------------------------------------------------------------------------

def test_disconnect_leaves_the_session_disconnected(emulator):
    wts.disconnect_session(None, 2)
    assert emulator.session("RDSH01", 2)["state"] == "disconnected"


def test_disconnecting_a_vanished_session_is_7022(emulator):
    error = raised_by(wts.disconnect_session, None, 42)
    assert (error.function, error.code) == ("WTSDisconnectSession", 7022)
    assert wts.session_gone(error)


def test_disconnecting_session_0_is_denied(emulator):
    assert raised_by(wts.disconnect_session, None, 0).code == 5


def test_logoff_returns_at_once_before_the_session_has_gone(emulator):
    rdsh01(emulator)["logoff_delay_seconds"] = 5
    wts.logoff_session(None, 2)
    assert emulator.session("RDSH01", 2) is not None


def test_a_denied_remote_logoff_names_the_server(emulator):
    emulator.inject("WTSLogoffSession", 5, session_id=1)
    with pytest.raises(WinApiError) as raised:
        with wts.open_server("RDSH02") as handle:
            wts.logoff_session(handle, 1)
    assert str(raised.value) == "WTSLogoffSession failed on RDSH02: [5] Access is denied."


# --- send_message -----------------------------------------------------------------------------------

def test_a_message_waits_for_the_answer(emulator):
    response = wts.send_message(None, 2, "Maintenance", "Save your work, please.", style=0x24, timeout=30,
                                wait=True)
    assert winconst.RESPONSE_NAMES[response] == "yes"
    message = emulator.session("RDSH01", 2)["messages"][-1]
    assert (message["title"], message["text"], message["style"], message["timeout"]) == (
        "Maintenance", "Save your work, please.", 0x24, 30)


def test_a_message_without_wait_is_async(emulator):
    assert winconst.RESPONSE_NAMES[wts.send_message(None, 2, "Note", "Hello")] == "async"


def test_an_unanswered_message_times_out(emulator):
    assert winconst.RESPONSE_NAMES[wts.send_message(None, 4, "Note", "Hello", timeout=1, wait=True)] == "timeout"


def test_message_lengths_are_bytes_also_for_non_bmp_text(emulator):
    wts.send_message(None, 5, "Zoë 😀", "Grüße 🎉 aus der IT")
    message = emulator.session("RDSH01", 5)["messages"][-1]
    assert (message["title"], message["text"]) == ("Zoë 😀", "Grüße 🎉 aus der IT")


def test_messaging_a_vanished_session_is_7022(emulator):
    assert wts.session_gone(raised_by(wts.send_message, None, 42, "Note", "Hello"))


# --- processes --------------------------------------------------------------------------------------

def processes_by_pid(handle=None, server=None):
    return {process["pid"]: process for process in wts.enumerate_processes(handle, server)}


def test_processes_come_with_owner_and_counters(emulator):
    state_process = emulator.process("RDSH01", 3410)
    word = processes_by_pid()[3410]
    assert word == {
        "pid": 3410, "name": "WINWORD.EXE", "session_id": 2, "sid": ALICE_SID, "user": "CONTOSO\\alice",
        "threads": 30, "handles": 1300, "working_set": 210_000_000, "peak_working_set": 260_000_000,
        "pagefile_usage": state_process["pagefile_usage"], "peak_pagefile_usage": state_process["peak_pagefile_usage"],
        "private_pages": state_process["pagefile_usage"],
        "user_time": state_process["user_time"], "kernel_time": state_process["kernel_time"],  # raw counts
    }
    assert emulator.calls["WTSFreeMemoryExW"] == 1


def test_a_process_without_a_sid_has_no_owner(emulator):
    assert processes_by_pid()[1400]["sid"] is None
    assert processes_by_pid()[1400]["user"] is None


def test_each_owner_is_looked_up_once(emulator):
    owners = {process["sid"] for process in rdsh01(emulator)["processes"] if process["sid"]}
    wts.enumerate_processes(None)
    assert emulator.calls["LookupAccountSidW"] == len(owners)


def test_an_unresolvable_owner_keeps_its_sid(emulator):
    unknown = "S-1-5-21-1-2-3-4242"
    rdsh01(emulator)["processes"].append(rds_emulator.make_process(9000, "orphan.exe", session=2, sid=unknown))
    orphan = processes_by_pid()[9000]
    assert (orphan["sid"], orphan["user"]) == (unknown, None)


@pytest.mark.parametrize("hide", [True, False], ids=["export missing", "not supported"])
def test_without_the_ex_function_processes_come_without_counters(emulator, hide):
    if hide:
        emulator.state["hidden_exports"].append("WTSEnumerateProcessesExW")
    else:
        emulator.inject("WTSEnumerateProcessesExW", 1745)
    word = processes_by_pid()[3410]
    assert (word["name"], word["session_id"], word["user"]) == ("WINWORD.EXE", 2, "CONTOSO\\alice")
    assert all(word[key] is None for key in ("threads", "handles", "working_set", "private_pages", "user_time"))
    assert emulator.calls["WTSEnumerateProcessesW"] == 1


def test_remote_owners_are_looked_up_on_that_server(emulator):
    with wts.open_server("RDSH02") as handle:
        assert processes_by_pid(handle, "RDSH02")[2210]["user"] == "CONTOSO\\dave"


def test_a_denied_process_list_is_raised(emulator):
    emulator.inject("WTSEnumerateProcessesExW", 5)
    assert raised_by(wts.enumerate_processes, None).code == 5
    assert emulator.calls["WTSEnumerateProcessesW"] == 0


def test_terminate_ends_the_process(emulator):
    wts.terminate_process(None, 3630, exit_code=1)
    assert emulator.process("RDSH01", 3630) is None


def test_terminating_an_unknown_process_is_87(emulator):
    assert raised_by(wts.terminate_process, None, 99999).code == 87


# --- shutdown ---------------------------------------------------------------------------------------

def test_shutdown_system_passes_the_flag(emulator):
    with wts.open_server("RDSH02") as handle:
        wts.shutdown_system(handle, winconst.WTS_WSD_REBOOT)
    assert emulator.state["servers"]["RDSH02"]["shutdown"]["flag"] == "reboot"


def test_shutdown_system_enables_the_shutdown_privilege_for_the_call_and_restores_it(emulator):
    wts.shutdown_system(None, winconst.WTS_WSD_POWEROFF)

    assert emulator.state["servers"]["RDSH01"]["shutdown"]["flag"] == "poweroff"  # needs it enabled: it was
    assert emulator.state["enabled_privileges"] == []  # and it is off again, as before
    assert emulator.calls["GetCurrentProcess"] == 1  # the pseudo handle is asked for, not hard-coded


def test_a_privilege_enabled_before_stays_enabled(emulator):
    emulator.state["enabled_privileges"] = ["SeShutdownPrivilege"]

    wts.shutdown_system(None, winconst.WTS_WSD_REBOOT)

    assert emulator.state["enabled_privileges"] == ["SeShutdownPrivilege"]


@pytest.mark.parametrize("server, flag", [("RDSH02", winconst.WTS_WSD_REBOOT), (None, winconst.WTS_WSD_LOGOFF),
                                          ("RDSH02", winconst.WTS_WSD_LOGOFF)])
def test_no_privilege_is_touched_for_a_logoff_or_a_server_reached_over_rpc(emulator, server, flag):
    with wts.open_server(server) as handle:
        wts.shutdown_system(handle, flag)

    assert emulator.calls["AdjustTokenPrivileges"] == emulator.calls["OpenProcessToken"] == 0


def test_a_remote_server_answering_1314_is_asked_once_more_with_the_privilege_enabled_here(emulator):
    # The SDK is silent on which token a server reached over RPC checks: both outcomes are handled.
    emulator.inject("WTSShutdownSystem", 1314, server="RDSH02")

    with wts.open_server("RDSH02") as handle:
        wts.shutdown_system(handle, winconst.WTS_WSD_REBOOT)

    assert emulator.state["servers"]["RDSH02"]["shutdown"]["flag"] == "reboot"
    assert emulator.calls["WTSShutdownSystem"] == 2 and emulator.calls["AdjustTokenPrivileges"] == 2
    assert emulator.state["enabled_privileges"] == []


def test_shutdown_without_the_privilege_fails_with_1314_from_windows(emulator):
    emulator.state["held_privileges"] = []

    error = raised_by(wts.shutdown_system, None, winconst.WTS_WSD_REBOOT)

    assert (error.function, error.code) == ("WTSShutdownSystem", 1314)
    assert "SeShutdownPrivilege" in explain(error)


def test_an_unknown_shutdown_flag_is_refused_by_windows(emulator):
    assert raised_by(wts.shutdown_system, None, 0x40).code == 87


# --- wait_system_event ------------------------------------------------------------------------------

def test_a_second_wait_on_a_handle_with_one_outstanding_is_refused_and_the_block_must_be_cleared(emulator):
    # MS-TSTS 3.7.4.1.15: "Only one event wait at a time can be posted per server handle."
    assert emulator.event_block(None, wait=True) is True  # a wait outstanding on WTS_CURRENT_SERVER_HANDLE
    error = raised_by(wts.wait_system_event, None, "all", timeout=1)
    assert error.function == "WTSWaitSystemEvent"
    emulator.event_block(None, wait=False)
    assert any("WTS_EVENT_NONE" in leak for leak in emulator.leaks())
    wts.end_event_waits(None)
    assert emulator.leaks() == []


def test_wait_returns_the_names_of_the_events(emulator):
    rdsh01(emulator)["events"].append(rds_emulator.make_event(0.1, ["logoff", "statechange"], session_id=3,
                                                              remove=True))
    assert wts.wait_system_event(None, "all", timeout=10) == {"logoff", "state_change"}
    wts.end_event_waits(None)  # MS-TSTS: WEVENT_NONE completes the waiting (the fixture checks it was sent)
    assert emulator.session("RDSH01", 3) is None


def test_wait_gives_up_after_the_timeout_with_no_events(emulator):
    rdsh01(emulator)["events"].append(rds_emulator.make_event(3600, ["logon"], add_session=rds_emulator.make_session(9)))

    assert wts.wait_system_event(None, ["logon", "logoff"], timeout=0.3) == set()
    wts.end_event_waits(None)  # MS-TSTS: WEVENT_NONE completes the waiting (the fixture checks it was sent)
    # given up on, not waited out: the logon an hour away is still to come
    assert [event["flags"] for event in rdsh01(emulator)["events"]] == [["logon"]]
    assert emulator.calls["WTSWaitSystemEvent"] == 3  # the wait, the flush that released it, WTS_EVENT_NONE


def test_wait_ignores_events_outside_the_mask(emulator):
    rdsh01(emulator)["events"].append(rds_emulator.make_event(0.05, ["logoff"]))
    assert wts.wait_system_event(None, ["logon"], timeout=0.5) == set()
    wts.end_event_waits(None)  # MS-TSTS: WEVENT_NONE completes the waiting (the fixture checks it was sent)


def test_wait_takes_a_numeric_mask(emulator):
    rdsh01(emulator)["events"].append(rds_emulator.make_event(0.05, 0x20))
    assert wts.wait_system_event(None, 0x20 | 0x40, timeout=10) == {"logon"}
    wts.end_event_waits(None)  # MS-TSTS: WEVENT_NONE completes the waiting (the fixture checks it was sent)


def test_wait_rejects_an_unknown_event_name(emulator):
    with pytest.raises(ValueError, match="unknown session event 'logn'"):
        wts.wait_system_event(None, ["logn"], timeout=1)


def test_wait_on_an_unreachable_server_fails(emulator):
    with pytest.raises(WinApiError) as raised:
        with wts.open_server("RDSH03") as handle:
            wts.wait_system_event(handle, "all", timeout=1)
    assert (raised.value.function, raised.value.code) == ("WTSWaitSystemEvent", 1722)


# --- virtual channels -------------------------------------------------------------------------------

def test_a_static_channel_carries_data_both_ways(emulator):
    with wts.VirtualChannel.open(2, "ECHO") as channel:
        assert channel.write(b"ping") == 4
        assert channel.read(1000) == b"ping"
    assert emulator.calls["WTSVirtualChannelClose"] == 1


def test_reading_an_idle_channel_gives_nothing_after_the_timeout(emulator):
    with wts.VirtualChannel.open(2, "ECHO") as channel:
        assert channel.read(50) == b""


def test_other_read_failures_are_raised(emulator):
    emulator.inject("WTSVirtualChannelRead", 31)
    with wts.VirtualChannel.open(2, "ECHO") as channel:
        assert raised_by(channel.read, 50).code == 31


def test_client_data_is_returned_and_freed(emulator):
    with wts.VirtualChannel.open(2, "CTXCMD") as channel:
        assert channel.query_client_data() == b"\x01\x02\x03"


def test_a_dynamic_channel_opens_with_its_priority_and_reads_chunks_behind_their_header(emulator):
    with wts.VirtualChannel.open(2, "Contoso::Diagnostics", dynamic=True, priority="high") as channel:
        channel.write(b"status?")
        # CHANNEL_PDU_HEADER: length 7, flags CHANNEL_FLAG_FIRST | CHANNEL_FLAG_LAST
        assert channel.read(1000) == b"\x07\x00\x00\x00\x03\x00\x00\x00status?"


def test_purged_input_is_not_read(emulator):
    with wts.VirtualChannel.open(2, "ECHO") as channel:
        channel.write(b"stale")
        channel.purge_input()
        assert channel.read(20) == b""


def test_a_static_channel_opens_with_the_original_call_where_the_ex_export_is_missing(emulator):
    emulator.state["hidden_exports"].append("WTSVirtualChannelOpenEx")
    with wts.VirtualChannel.open(2, "ECHO") as channel:
        channel.write(b"ping")
        assert channel.read(1000) == b"ping"
    assert (emulator.calls["WTSVirtualChannelOpen"], emulator.calls["WTSVirtualChannelClose"]) == (1, 1)


def test_a_dynamic_channel_needs_the_ex_export(emulator):
    emulator.state["hidden_exports"].append("WTSVirtualChannelOpenEx")
    error = raised_by(wts.VirtualChannel.open, 2, "Contoso::Diagnostics", dynamic=True)
    assert (error.function, error.code) == ("WTSVirtualChannelOpenEx", 127)
    assert emulator.calls["WTSVirtualChannelOpen"] == 0


def test_an_unknown_channel_is_not_found(emulator):
    error = raised_by(wts.VirtualChannel.open, 2, "NOPE")
    assert (error.function, error.code) == ("WTSVirtualChannelOpenEx", 1168)


@pytest.mark.parametrize("name, dynamic, priority", [
    ("TOOLONG8", False, "low"), ("", False, "low"), ("ÉCHO", False, "low"), ("x" * 261, True, "low"),
    ("Contoso::Diagnostics", True, "urgent"),
])
def test_bad_channel_names_and_priorities_are_refused_without_a_call(emulator, name, dynamic, priority):
    with pytest.raises(ValueError):
        wts.VirtualChannel.open(2, name, dynamic=dynamic, priority=priority)
    assert emulator.calls["WTSVirtualChannelOpenEx"] == 0


def test_closing_twice_closes_once(emulator):
    channel = wts.VirtualChannel.open(2, "ECHO")
    channel.close()
    channel.close()
    assert emulator.calls["WTSVirtualChannelClose"] == 1


# --- names ------------------------------------------------------------------------------------------

def test_state_names_follow_the_windows_enum():
    assert [wts.state_name(value) for value in range(10)] == [
        "active", "connected", "connect_query", "shadow", "disconnected", "idle", "listen", "reset", "down", "init"]
    assert wts.state_name(10) == "unknown"
