"""Sessions come back in Windows' own layouts, from the right server, with the server's clock."""

from __future__ import annotations

import ctypes
import datetime
import ipaddress
from ctypes import byref, c_uint32, c_void_p

import pytest
from rds_emulator.structs import (WTS_CLIENT_ADDRESS, WTS_SESSION_INFO_1W, WTS_SESSION_INFOW, WTSCLIENTW,
                                  WTSCONFIGINFOW, WTSINFOEXW, WTSINFOW)

WTSUserName, WTSWinStationName, WTSConnectState, WTSClientAddress, WTSClientProtocolType = 5, 6, 8, 14, 16
WTSIdleTime, WTSClientInfo, WTSSessionInfo, WTSSessionInfoEx, WTSConfigInfo = 17, 23, 24, 25, 26
WTSSessionAddressV4, WTSIsRemoteSession = 28, 29
FILETIME_EPOCH = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)


def filetime_to_datetime(value):
    return FILETIME_EPOCH + datetime.timedelta(microseconds=value // 10)


def enumerate_ex(win, handle):
    level, buffer, count = c_uint32(1), c_void_p(), c_uint32()
    assert win.wtsapi32.WTSEnumerateSessionsExW(handle, byref(level), 0, byref(buffer), byref(count))
    rows = (WTS_SESSION_INFO_1W * count.value).from_address(buffer.value)
    sessions = {row.SessionId: (row.State, win.read_wide(row.pSessionName), win.read_wide(row.pUserName),
                                win.read_wide(row.pDomainName), win.read_wide(row.pHostName)) for row in rows}
    assert win.wtsapi32.WTSFreeMemoryExW(2, buffer, count)
    return sessions


def test_enumerate_sessions_lists_every_session_with_station_and_state(win):
    buffer, count = c_void_p(), c_uint32()
    assert win.wtsapi32.WTSEnumerateSessionsW(None, 0, 1, byref(buffer), byref(count))
    rows = (WTS_SESSION_INFOW * count.value).from_address(buffer.value)
    listed = [(row.SessionId, win.read_wide(row.pWinStationName), row.State) for row in rows]
    win.wtsapi32.WTSFreeMemory(buffer)
    assert listed == [(0, "Services", 4), (1, "Console", 0), (2, "RDP-Tcp#3", 0), (3, "", 4), (4, "RDP-Tcp#5", 0),
                      (5, "RDP-Tcp#6", 0), (6, "", 4), (7, "RDP-Tcp#12", 1), (65536, "RDP-Tcp", 6)]


def test_enumerate_sessions_ex_reports_users_and_null_for_sessions_without_one(win):
    handle = win.open_server("rdsh01.contoso.com")
    sessions = enumerate_ex(win, handle)
    win.wtsapi32.WTSCloseServer(handle)
    assert sessions[2] == (0, "RDP-Tcp#3", "alice", "CONTOSO", "RDSH01")
    assert sessions[5][2] == "Zoë😀"
    assert sessions[6] == (4, "", None, None, "RDSH01")


def test_enumerate_sessions_ex_rejects_other_levels(win):
    level, buffer, count = c_uint32(2), c_void_p(), c_uint32()
    assert not win.wtsapi32.WTSEnumerateSessionsExW(None, byref(level), 0, byref(buffer), byref(count))
    assert ctypes.get_last_error() == 87


def test_other_server_is_reached_through_its_handle(win):
    handle = win.open_server("RDSH02")
    assert sorted(enumerate_ex(win, handle)) == [0, 1, 2, 65536]
    win.wtsapi32.WTSCloseServer(handle)


def test_unreachable_server_opens_but_fails_with_rpc_unavailable(win):
    handle = win.open_server("RDSH03")
    assert handle
    buffer, count = c_void_p(), c_uint32()
    assert not win.wtsapi32.WTSEnumerateSessionsW(handle, 0, 1, byref(buffer), byref(count))
    assert ctypes.get_last_error() == 1722
    win.wtsapi32.WTSCloseServer(handle)


def test_unknown_server_name_fails_at_first_use(win):
    handle = win.open_server("NOSUCHHOST")
    ok, error, _data = win.query(handle, 1, WTSUserName)
    win.wtsapi32.WTSCloseServer(handle)
    assert (ok, error) == (False, 1722)


def test_string_classes_return_utf16_with_the_nul_counted(win):
    ok, _error, data = win.query(None, 5, WTSUserName)
    assert ok and data == "Zoë😀".encode("utf-16-le") + b"\0\0"


def test_unknown_session_is_file_not_found(win):
    assert win.query(None, 42, WTSUserName)[:2] == (False, 2)


@pytest.mark.parametrize("info_class", [WTSIdleTime, 18, 19, 20, 21, 22, 27])
def test_classes_windows_no_longer_supports_fail_with_not_supported(win, info_class):
    assert win.query(None, 2, info_class)[:2] == (False, 50)


def test_scalar_classes_have_their_windows_sizes(win):
    assert win.query(None, 7, WTSConnectState)[2] == (1).to_bytes(4, "little")
    assert win.query(None, 1, WTSClientProtocolType)[2] == (0).to_bytes(2, "little")
    assert win.query(None, 2, WTSClientProtocolType)[2] == (2).to_bytes(2, "little")


def test_ipv4_client_address_is_at_offset_two(win):
    address = WTS_CLIENT_ADDRESS.from_buffer_copy(win.query(None, 2, WTSClientAddress)[2])
    assert address.AddressFamily == 2
    assert bytes(address.Address[2:6]) == bytes([10, 20, 30, 41])


def test_ipv6_client_address_is_raw_bytes_from_offset_zero_as_microsoft_documents(win):
    address = WTS_CLIENT_ADDRESS.from_buffer_copy(win.query(None, 4, WTSClientAddress)[2])
    assert address.AddressFamily == 23
    assert ipaddress.IPv6Address(bytes(address.Address[0:16])) == ipaddress.IPv6Address("2001:db8:0:1::4")


def test_session_info_times_come_from_the_server_clock(win):
    info = WTSINFOW.from_buffer_copy(win.query(None, 3, WTSSessionInfo)[2])
    assert filetime_to_datetime(info.CurrentTime) == datetime.datetime(2026, 3, 14, 9, 1, 30,
                                                                       tzinfo=datetime.timezone.utc)
    assert filetime_to_datetime(info.DisconnectTime) == datetime.datetime(2026, 3, 14, 8, 15,
                                                                          tzinfo=datetime.timezone.utc)
    assert info.State == 4 and info.WinStationName[0] == 0


def test_session_info_truncates_long_names_like_windows(emulator, win):
    emulator.session("RDSH01", 2)["user"] = "a-very-long-user-name-of-30-chars"
    info = WTSINFOW.from_buffer_copy(win.query(None, 2, WTSSessionInfo)[2])
    assert bytes(info.UserName).decode("utf-16-le").rstrip("\0") == "a-very-long-user-nam"


def test_lock_state_comes_from_session_info_ex(win):
    console = WTSINFOEXW.from_buffer_copy(win.query(None, 1, WTSSessionInfoEx)[2]).Data.WTSInfoExLevel1
    alice = WTSINFOEXW.from_buffer_copy(win.query(None, 2, WTSSessionInfoEx)[2]).Data.WTSInfoExLevel1
    bob = WTSINFOEXW.from_buffer_copy(win.query(None, 3, WTSSessionInfoEx)[2]).Data.WTSInfoExLevel1
    assert (console.SessionFlags, alice.SessionFlags, bob.SessionFlags) == (0, 1, -1)


def test_windows_2008_r2_reports_the_lock_flag_inverted(win):
    handle = win.open_server("RDSH02")
    dave = WTSINFOEXW.from_buffer_copy(win.query(handle, 1, WTSSessionInfoEx)[2]).Data.WTSInfoExLevel1
    win.wtsapi32.WTSCloseServer(handle)
    assert (dave.SessionFlags, bytes(dave.UserName).decode("utf-16-le").rstrip("\0")) == (1, "dave")


def test_client_info_holds_ipv4_as_text(win):
    client = WTSCLIENTW.from_buffer_copy(win.query(None, 2, WTSClientInfo)[2])
    assert bytes(client.ClientAddress).decode("utf-16-le").rstrip("\0") == "10.20.30.41"
    assert (client.HRes, client.VRes, client.ClientBuildNumber) == (1920, 1080, 22621)


def test_config_info_names_the_logged_on_user(win):
    config = WTSCONFIGINFOW.from_buffer_copy(win.query(None, 2, WTSConfigInfo)[2])
    assert bytes(config.LogonUserName).decode("utf-16-le").rstrip("\0") == "alice"


def test_session_address_v4_needs_a_virtual_ip(win):
    assert win.query(None, 2, WTSSessionAddressV4)[:2] == (False, 50)
    assert win.query(None, 5, WTSSessionAddressV4)[2][6:10] == bytes([10, 99, 0, 5])


def test_is_remote_session_only_on_the_current_server_handle(win):
    assert win.query(None, 2, WTSIsRemoteSession)[2] == b"\x01"
    assert win.query(None, 1, WTSIsRemoteSession)[2] == b"\x00"
    handle = win.open_server("RDSH01")
    assert win.query(handle, 2, WTSIsRemoteSession)[:2] == (False, 87)
    win.wtsapi32.WTSCloseServer(handle)


def test_open_server_ex_works_like_open_server(win):
    handle = win.wtsapi32.WTSOpenServerExW(win.wide("RDSH02"))
    assert win.query(handle, 1, WTSUserName)[2] == "dave\0".encode("utf-16-le")
    win.wtsapi32.WTSCloseServer(handle)
