"""Any Windows error can be injected into any call, narrowed to a server, session or process."""

from __future__ import annotations

import ctypes
from ctypes import byref, c_uint32, c_void_p

WTSUserName = 5


def test_fault_fails_the_next_matching_call_only(emulator, win):
    emulator.inject("WTSLogoffSession", 5, session_id=3)
    assert not win.wtsapi32.WTSLogoffSession(None, 3, False)
    assert (ctypes.get_last_error(), ctypes.FormatError(5)) == (5, "Access is denied.")
    assert emulator.session("RDSH01", 3) is not None
    assert win.wtsapi32.WTSLogoffSession(None, 3, False)
    assert emulator.state["faults"] == []


def test_fault_for_another_session_does_not_fire(emulator, win):
    emulator.inject("WTSQuerySessionInformationW", 7022, session_id=4)
    assert win.query(None, 2, WTSUserName)[0]
    assert win.query(None, 4, WTSUserName)[:2] == (False, 7022)


def test_permanent_fault_fires_every_time(emulator, win):
    emulator.inject("WTSQuerySessionInformationW", 1726, times=None)
    assert [win.query(None, 2, WTSUserName)[1] for _attempt in range(3)] == [1726] * 3


def test_wildcard_fault_limited_to_one_server(emulator, win):
    rdsh02 = win.open_server("RDSH02")
    emulator.inject("*", 1726, server="rdsh02", times=2)
    assert win.query(None, 2, WTSUserName)[0]
    assert win.query(rdsh02, 1, WTSUserName)[:2] == (False, 1726)
    assert win.query(rdsh02, 2, WTSUserName)[:2] == (False, 1726)
    assert win.query(rdsh02, 1, WTSUserName)[0]
    win.wtsapi32.WTSCloseServer(rdsh02)


def test_net_api_faults_come_back_as_the_status(emulator, win):
    emulator.inject("NetServerEnum", 1355)
    buffer, read, total = c_void_p(), c_uint32(), c_uint32()
    assert win.netapi32.NetServerEnum(None, 101, byref(buffer), 0xFFFFFFFF, byref(read), byref(total),
                                      0x02000000, None, None) == 1355
    assert not buffer


def test_poisoned_handle_opens_but_every_use_fails(emulator, win):
    emulator.inject("WTSOpenServerW", 6, server="RDSH02", poison_handle=True)
    handle = win.open_server("RDSH02")
    assert handle
    assert win.query(handle, 1, WTSUserName)[:2] == (False, 6)
    win.wtsapi32.WTSCloseServer(handle)


def test_faulted_mutating_call_is_still_logged_as_attempted(emulator, win):
    emulator.inject("WTSDisconnectSession", 5)
    assert not win.wtsapi32.WTSDisconnectSession(None, 2, False)
    assert [call["function"] for call in emulator.mutating_calls] == ["WTSDisconnectSession"]
    assert emulator.session("RDSH01", 2)["state"] == "active"
