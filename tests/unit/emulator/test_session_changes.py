"""Disconnect, logoff (which takes a moment), shutdown, and scripted events with WTSWaitSystemEvent."""

from __future__ import annotations

import ctypes
import threading
import time
from ctypes import byref, c_uint32

import rds_emulator

WTS_EVENT_LOGOFF, WTS_EVENT_CONNECT, WTS_EVENT_ALL, WTS_EVENT_FLUSH = 0x40, 0x8, 0x7FFFFFFF, 0x80000000
WTS_EVENT_LOGON = 0x20


def test_disconnect_keeps_the_session_and_stamps_the_server_time(emulator, win):
    assert win.wtsapi32.WTSDisconnectSession(None, 2, True)
    session = emulator.session("RDSH01", 2)
    assert (session["state"], session["station"], session["disconnect_time"]) == ("disconnected", "",
                                                                                  "2026-03-14T09:01:30Z")


def test_session_zero_and_listeners_cannot_be_disconnected_or_logged_off(win):
    for session_id in (0, 65536):
        assert not win.wtsapi32.WTSDisconnectSession(None, session_id, False)
        assert ctypes.get_last_error() == 5
        assert not win.wtsapi32.WTSLogoffSession(None, session_id, False)
        assert ctypes.get_last_error() == 5


def test_logoff_without_wait_returns_at_once_and_the_session_goes_a_little_later(emulator, win):
    assert win.wtsapi32.WTSLogoffSession(None, 3, False)
    assert emulator.session("RDSH01", 3) is not None
    time.sleep(0.4)
    assert emulator.session("RDSH01", 3) is None
    assert emulator.process("RDSH01", 3520) is None  # bob's chrome.exe went with the session


def test_logoff_with_wait_returns_when_the_session_is_gone(emulator, win):
    assert win.wtsapi32.WTSLogoffSession(None, 4, True)
    assert emulator.session("RDSH01", 4) is None


def test_logoff_of_a_missing_session_is_session_not_found(win):
    assert not win.wtsapi32.WTSLogoffSession(None, 42, False)
    assert ctypes.get_last_error() == 7022


def test_reboot_makes_the_server_unreachable(emulator, win):
    handle = win.open_server("RDSH02")
    assert win.wtsapi32.WTSShutdownSystem(handle, 0x4)
    assert emulator.state["servers"]["RDSH02"]["shutdown"]["flag"] == "reboot"
    assert not win.wtsapi32.WTSShutdownSystem(handle, 0x4)
    assert ctypes.get_last_error() == 1722
    win.wtsapi32.WTSCloseServer(handle)


def test_wait_returns_the_scripted_event_and_applies_its_change(emulator, win):
    emulator.state["servers"]["RDSH01"]["events"] = [
        rds_emulator.make_event(0.3, ["logoff"], session_id=3, remove=True)]
    flags = c_uint32()
    assert win.wtsapi32.WTSWaitSystemEvent(None, WTS_EVENT_ALL, byref(flags))
    assert win.wtsapi32.WTSWaitSystemEvent(None, 0, byref(c_uint32()))  # WTS_EVENT_NONE: the waiting is complete
    assert flags.value == WTS_EVENT_LOGOFF
    # the wait ended because the scripted event fired, the only one that did
    assert [event["flags"] for event in emulator.state["servers"]["RDSH01"]["fired_events"]] == [WTS_EVENT_LOGOFF]
    assert emulator.session("RDSH01", 3) is None


def test_events_outside_the_mask_change_the_host_but_do_not_wake_the_waiter(emulator, win):
    emulator.state["servers"]["RDSH01"]["events"] = [
        rds_emulator.make_event(0.1, ["logoff"], session_id=3, remove=True),
        rds_emulator.make_event(0.2, ["connect"], session_id=6, set={"state": "active", "user": "frank"}),
    ]
    flags = c_uint32()
    assert win.wtsapi32.WTSWaitSystemEvent(None, WTS_EVENT_CONNECT, byref(flags))
    assert flags.value == WTS_EVENT_CONNECT
    assert win.wtsapi32.WTSWaitSystemEvent(None, 0, byref(c_uint32()))  # WTS_EVENT_NONE
    assert emulator.session("RDSH01", 3) is None
    assert emulator.session("RDSH01", 6)["user"] == "frank"


def test_flush_on_the_same_handle_releases_a_waiter_with_no_event(win):
    handle = win.open_server("RDSH02")
    result = {}

    def wait():
        flags = c_uint32(99)
        result["ok"] = win.wtsapi32.WTSWaitSystemEvent(handle, WTS_EVENT_ALL, byref(flags))
        result["flags"] = flags.value

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.2)
    assert waiter.is_alive()
    flush_flags = c_uint32()
    assert win.wtsapi32.WTSWaitSystemEvent(handle, WTS_EVENT_FLUSH, byref(flush_flags))
    waiter.join(2)
    assert not waiter.is_alive()
    assert result == {"ok": 1, "flags": 0}
    win.wtsapi32.WTSCloseServer(handle)


def test_an_event_armed_by_wait_waits_for_the_next_wait_instead_of_the_event_before_it(emulator, win):
    """``armed_by_wait``: a test script's event whose delay starts at the next WTSWaitSystemEvent call, not when
    the event before it fired, so that a slow controller between two waits cannot make the second miss it."""
    second = dict(rds_emulator.make_event(0.1, ["logon"], add_session={"id": 9, "user": "frank", "state": "active"}),
                  armed_by_wait=True)
    emulator.state["servers"]["RDSH01"]["events"] = [
        rds_emulator.make_event(0.1, ["logoff"], session_id=3, remove=True), second]
    flags = c_uint32()
    assert win.wtsapi32.WTSWaitSystemEvent(None, WTS_EVENT_LOGOFF, byref(flags))
    assert win.wtsapi32.WTSWaitSystemEvent(None, 0, byref(c_uint32()))  # WTS_EVENT_NONE arms nothing
    emulator.state["servers"]["RDSH01"]["fired_events"].clear()
    time.sleep(0.3)  # longer than the logon's delay: without armed_by_wait it would have fired by now
    listed, count = ctypes.c_void_p(), c_uint32()
    assert win.wtsapi32.WTSEnumerateSessionsW(None, 0, 1, byref(listed), byref(count))  # the emulator's clock ticks
    win.wtsapi32.WTSFreeMemory(listed)
    assert emulator.state["servers"]["RDSH01"]["fired_events"] == []
    assert emulator.session("RDSH01", 9) is None
    assert win.wtsapi32.WTSWaitSystemEvent(None, WTS_EVENT_LOGON, byref(flags))
    assert win.wtsapi32.WTSWaitSystemEvent(None, 0, byref(c_uint32()))
    assert emulator.session("RDSH01", 9)["user"] == "frank"
