"""Every buffer must go back through the right free function exactly once; handles are closed once."""

from __future__ import annotations

import ctypes
from ctypes import byref, c_uint32, c_void_p


def enumerate_sessions_ex(win):
    level, buffer, count = c_uint32(1), c_void_p(), c_uint32()
    assert win.wtsapi32.WTSEnumerateSessionsExW(None, byref(level), 0, byref(buffer), byref(count))
    return buffer, count


def sessions_buffer(win):
    buffer, count = c_void_p(), c_uint32()
    assert win.wtsapi32.WTSEnumerateSessionsW(None, 0, 1, byref(buffer), byref(count))
    return buffer


def test_a_correctly_freed_buffer_leaves_nothing_behind(emulator, win):
    win.wtsapi32.WTSFreeMemory(sessions_buffer(win))
    buffer, count = enumerate_sessions_ex(win)
    assert win.wtsapi32.WTSFreeMemoryExW(2, buffer, count)
    assert emulator.leaks() == [] and emulator.errors == []


def test_buffer_never_freed_is_reported_as_a_leak(emulator, win):
    sessions_buffer(win)
    leaks = emulator.clear_problems()
    assert len(leaks) == 1 and "from WTSEnumerateSessionsW" in leaks[0] and "WTSFreeMemory" in leaks[0]


def test_double_free_is_reported(emulator, win):
    buffer = sessions_buffer(win)
    win.wtsapi32.WTSFreeMemory(buffer)
    win.wtsapi32.WTSFreeMemory(buffer)
    assert [p for p in emulator.clear_problems() if "double free" in p]


def test_freed_memory_is_poisoned(emulator, win):
    buffer = sessions_buffer(win)
    win.wtsapi32.WTSFreeMemory(buffer)
    assert ctypes.string_at(buffer.value, 4) == b"\xdd" * 4


def test_ex_buffer_freed_with_plain_free_memory_is_the_wrong_function(emulator, win):
    buffer, _count = enumerate_sessions_ex(win)
    win.wtsapi32.WTSFreeMemory(buffer)
    problems = emulator.clear_problems()
    assert len(problems) == 1 and "freed with WTSFreeMemory" in problems[0] and "WTSFreeMemoryExW" in problems[0]


def test_wrong_type_class_or_count_is_reported_and_fails(emulator, win):
    buffer, count = enumerate_sessions_ex(win)
    assert not win.wtsapi32.WTSFreeMemoryExW(0, buffer, count)  # WTSTypeProcessInfoLevel0
    assert ctypes.get_last_error() == 87
    other, count = enumerate_sessions_ex(win)
    assert not win.wtsapi32.WTSFreeMemoryExW(2, other, count.value - 1)
    problems = emulator.clear_problems()
    assert len(problems) == 2 and all("WTSFreeMemoryExW(class" in p for p in problems)


def test_freeing_a_pointer_into_the_middle_of_a_buffer_is_reported(emulator, win):
    buffer = sessions_buffer(win)
    win.wtsapi32.WTSFreeMemory(buffer.value + 16)
    win.wtsapi32.WTSFreeMemory(buffer)
    assert any("16 bytes into" in p for p in emulator.clear_problems())


def test_net_api_buffer_freed_with_wts_free_memory_is_reported(emulator, win):
    buffer, read, total = c_void_p(), c_uint32(), c_uint32()
    assert win.netapi32.NetServerEnum(None, 101, byref(buffer), 0xFFFFFFFF, byref(read), byref(total),
                                      0x02000000, None, None) == 0
    win.wtsapi32.WTSFreeMemory(buffer)
    assert any("NetApiBufferFree" in p for p in emulator.clear_problems())


def test_server_handle_left_open_is_a_leak(emulator, win):
    win.open_server("RDSH02")
    leaks = emulator.clear_problems()
    assert len(leaks) == 1 and "server handle" in leaks[0] and "RDSH02" in leaks[0]


def test_closed_handle_cannot_be_used_or_closed_again(emulator, win):
    handle = win.open_server("RDSH02")
    win.wtsapi32.WTSCloseServer(handle)
    buffer, count = c_void_p(), c_uint32()
    assert not win.wtsapi32.WTSEnumerateSessionsW(handle, 0, 1, byref(buffer), byref(count))
    assert ctypes.get_last_error() == 6
    win.wtsapi32.WTSCloseServer(handle)
    problems = emulator.clear_problems()
    assert len(problems) == 2 and all("closed server handle" in p for p in problems)


def test_made_up_handle_is_invalid(emulator, win):
    buffer, count = c_void_p(), c_uint32()
    assert not win.wtsapi32.WTSEnumerateSessionsW(0x12345678, 0, 1, byref(buffer), byref(count))
    assert ctypes.get_last_error() == 6
    assert emulator.clear_problems()


def test_current_server_handle_needs_no_closing(emulator, win):
    win.wtsapi32.WTSCloseServer(None)
    assert emulator.leaks() == [] and emulator.errors == []
