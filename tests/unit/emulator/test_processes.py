"""Processes: both enumeration levels, owner SIDs in memory, termination, the agent's process tree."""

from __future__ import annotations

import ctypes
from ctypes import byref, c_uint32, c_void_p

from rds_emulator.structs import PROCESSENTRY32W, WTS_PROCESS_INFO_EXW, WTS_PROCESS_INFOW


def string_sid(win, sid_address):
    text = c_void_p()
    assert win.advapi32.ConvertSidToStringSidW(sid_address, byref(text))
    value = win.read_wide(text.value)
    assert win.kernel32.LocalFree(text) is None
    return value


def test_enumerate_processes_gives_names_and_owner_sids(win):
    buffer, count = c_void_p(), c_uint32()
    assert win.wtsapi32.WTSEnumerateProcessesW(None, 0, 1, byref(buffer), byref(count))
    rows = (WTS_PROCESS_INFOW * count.value).from_address(buffer.value)
    lsass = next(row for row in rows if win.read_wide(row.pProcessName) == "lsass.exe")
    defender = next(row for row in rows if win.read_wide(row.pProcessName) == "MsMpEng.exe")
    assert string_sid(win, lsass.pUserSid) == "S-1-5-18"
    assert defender.pUserSid is None
    win.wtsapi32.WTSFreeMemory(buffer)


def test_enumerate_processes_ex_level_1_filters_by_session_and_has_counters(win):
    level, buffer, count = c_uint32(1), c_void_p(), c_uint32()
    assert win.wtsapi32.WTSEnumerateProcessesExW(None, byref(level), 2, byref(buffer), byref(count))
    rows = (WTS_PROCESS_INFO_EXW * count.value).from_address(buffer.value)
    word = next(row for row in rows if win.read_wide(row.pProcessName) == "WINWORD.EXE")
    assert {row.SessionId for row in rows} == {2}
    assert (word.NumberOfThreads, word.WorkingSetSize) == (30, 210_000_000)
    assert string_sid(win, word.pUserSid).endswith("-1104")
    assert win.wtsapi32.WTSFreeMemoryExW(1, buffer, count)


def test_enumerate_processes_ex_level_0_is_freed_as_level_0(emulator, win):
    level, buffer, count = c_uint32(0), c_void_p(), c_uint32()
    assert win.wtsapi32.WTSEnumerateProcessesExW(None, byref(level), 0xFFFFFFFE, byref(buffer), byref(count))
    assert count.value == len(emulator.state["servers"]["RDSH01"]["processes"])
    assert win.wtsapi32.WTSFreeMemoryExW(0, buffer, count)


def test_terminate_removes_the_process_and_is_logged_as_mutating(emulator, win):
    assert win.wtsapi32.WTSTerminateProcess(None, 3630, 1)
    assert emulator.process("RDSH01", 3630) is None
    assert emulator.mutating_calls == [{"function": "WTSTerminateProcess", "server": "RDSH01",
                                        "args": {"ProcessId": 3630, "ExitCode": 1}}]


def test_terminating_an_unknown_pid_is_invalid_parameter(win):
    assert not win.wtsapi32.WTSTerminateProcess(None, 99999, 1)
    assert ctypes.get_last_error() == 87


def test_terminating_a_critical_process_crashes_the_server(emulator, win):
    assert win.wtsapi32.WTSTerminateProcess(None, 716, 1)
    assert not emulator.state["servers"]["RDSH01"]["reachable"]


def test_toolhelp_snapshot_with_bad_flags_is_invalid_handle_value(win):
    assert win.kernel32.CreateToolhelp32Snapshot(0, 0) == 0xFFFFFFFFFFFFFFFF
    assert ctypes.get_last_error() == 87


def test_toolhelp_snapshot_shows_the_agent_process_tree(win):
    pid = win.kernel32.GetCurrentProcessId()
    snapshot = win.kernel32.CreateToolhelp32Snapshot(2, 0)
    entry = PROCESSENTRY32W(dwSize=ctypes.sizeof(PROCESSENTRY32W))
    parents, names = {}, {}
    ok = win.kernel32.Process32FirstW(snapshot, byref(entry))
    while ok:
        parents[entry.th32ProcessID] = entry.th32ParentProcessID
        names[entry.th32ProcessID] = bytes(entry.szExeFile).decode("utf-16-le").split("\0", 1)[0]
        ok = win.kernel32.Process32NextW(snapshot, byref(entry))
    assert ctypes.get_last_error() == 18
    assert win.kernel32.CloseHandle(snapshot)
    chain = [pid]
    while parents.get(chain[-1]) in names:
        chain.append(parents[chain[-1]])
    assert [names[p] for p in chain] == ["python.exe", "powershell.exe", "wsmprovhost.exe", "svchost.exe",
                                         "services.exe", "wininit.exe"]


def test_open_process_and_its_image_path(emulator):
    # processthreadsapi OpenProcess: the System process and the CSRSS processes fail with ERROR_ACCESS_DENIED;
    # winbase QueryFullProcessImageNameW: the size in characters, without the NUL, on success
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.argtypes = [c_uint32, ctypes.c_int32, c_uint32]
    kernel32.OpenProcess.restype = c_void_p
    kernel32.QueryFullProcessImageNameW.argtypes = [c_void_p, c_uint32, c_void_p, ctypes.POINTER(c_uint32)]
    kernel32.QueryFullProcessImageNameW.restype = ctypes.c_int32
    kernel32.CloseHandle.argtypes = [c_void_p]
    kernel32.CloseHandle.restype = ctypes.c_int32
    emulator.process("RDSH01", 3630)["path"] = "C:\\Users\\carol\\notepad.exe"

    assert kernel32.OpenProcess(0x1000, 0, 4) is None and ctypes.get_last_error() == 5
    assert kernel32.OpenProcess(0x1000, 0, 0) is None and ctypes.get_last_error() == 87
    handle = kernel32.OpenProcess(0x1000, 0, 3630)
    short, size = (ctypes.c_uint16 * 4)(), c_uint32(4)
    assert not kernel32.QueryFullProcessImageNameW(handle, 0, short, byref(size)) and ctypes.get_last_error() == 122
    buffer, size = (ctypes.c_uint16 * 260)(), c_uint32(260)
    assert kernel32.QueryFullProcessImageNameW(handle, 0, buffer, byref(size))
    assert bytes(buffer)[:2 * size.value].decode("utf-16-le") == "C:\\Users\\carol\\notepad.exe"
    assert kernel32.CloseHandle(handle)
