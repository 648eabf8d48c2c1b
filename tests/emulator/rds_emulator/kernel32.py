"""kernel32.dll: the pieces a WTS wrapper reasonably needs (LocalFree, process and session ids, the
process tree through a Toolhelp snapshot, the computer name)."""

from __future__ import annotations

import ctypes
import os

from . import state as st
from .dll import DWORD, HANDLE, LPDWORD, LPWSTR, PVOID, VOID, export, set_system_last_error, system_last_error
from .errors import (ERROR_ACCESS_DENIED, ERROR_BAD_LENGTH, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_HANDLE,
                     ERROR_INVALID_PARAMETER, ERROR_MORE_DATA, ERROR_NO_MORE_FILES, WinFail)
from .memory import read_u32, write_bytes, write_u32
from .structs import PROCESSENTRY32W, fill

TH32CS_SNAPPROCESS = 0x2
INVALID_HANDLE_VALUE = 0xFFFFFFFFFFFFFFFF
CURRENT_PROCESS = 0xFFFFFFFFFFFFFFFF  # GetCurrentProcess()'s pseudo handle
ERROR_BUFFER_OVERFLOW = 111


def _local(call) -> dict:
    return call.state["servers"][call.state["local_server"]]


@export("kernel32", HANDLE, ("hMem", PVOID))
def LocalFree(call, hMem):
    if hMem and not call.emulator.heap.free(hMem, call.name):
        set_system_last_error(ERROR_INVALID_HANDLE)
        return hMem
    return None


@export("kernel32", DWORD)
def GetCurrentProcessId(call):
    return call.state["current_process_id"]


@export("kernel32", HANDLE)
def GetCurrentProcess(call):
    # sdk-api processthreadsapi/nf-processthreadsapi-getcurrentprocess: "A pseudo handle is a special constant,
    # currently (HANDLE)-1, that is interpreted as the current process handle. For compatibility with future
    # operating systems, it is best to call GetCurrentProcess instead of hard-coding this constant value."
    return CURRENT_PROCESS


PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
SYSTEM_PREFIX = "%SYSTEM%\\"


def image_path(state, process) -> str:
    """A process's program path: its ``path`` (null: the system directory and its name), ``%SYSTEM%\\`` standing
    for the system directory (GetSystemDirectoryW)."""
    path = process.get("path") or SYSTEM_PREFIX + process["name"]
    if path.startswith(SYSTEM_PREFIX):
        path = (state.get("system_directory") or SYSTEM_DIRECTORY) + "\\" + path[len(SYSTEM_PREFIX):]
    return path


@export("kernel32", HANDLE, ("dwDesiredAccess", DWORD), ("bInheritHandle", DWORD), ("dwProcessId", DWORD))
def OpenProcess(call, dwDesiredAccess, bInheritHandle, dwProcessId):
    # sdk-api processthreadsapi/nf-processthreadsapi-openprocess: "If the specified process is the System Idle
    # Process (0x00000000), the function fails and the last error code is ERROR_INVALID_PARAMETER. If the
    # specified process is the System process or one of the Client Server Run-Time Subsystem (CSRSS) processes,
    # this function fails and the last error code is ERROR_ACCESS_DENIED" (a process's ``access_denied``). The
    # page names no error for a pid no process has: ERROR_INVALID_PARAMETER, like the Idle process's.
    process = st.find_process(_local(call), dwProcessId) if dwProcessId else None
    if process is None:
        raise WinFail(ERROR_INVALID_PARAMETER)
    if process.get("access_denied"):
        raise WinFail(ERROR_ACCESS_DENIED)
    return call.emulator.new_handle("process", call.name, call.state["local_server"], pid=dwProcessId,
                                    access=dwDesiredAccess).value


@export("kernel32", DWORD, ("hProcess", HANDLE), ("dwFlags", DWORD), ("lpExeName", LPWSTR), ("lpdwSize", LPDWORD))
def QueryFullProcessImageNameW(call, hProcess, dwFlags, lpExeName, lpdwSize):
    # sdk-api winbase/nf-winbase-queryfullprocessimagenamew: hProcess "must be created with the
    # PROCESS_QUERY_INFORMATION or PROCESS_QUERY_LIMITED_INFORMATION access right"; dwFlags 0 "The name should use
    # the Win32 path format"; lpdwSize "On input, specifies the size of the lpExeName buffer, in characters. On
    # success, receives the number of characters written to the buffer, not including the null-terminating
    # character." The page names no error for a short buffer: ERROR_INSUFFICIENT_BUFFER.
    handle = call.emulator.handle(hProcess, "process", call)
    if not handle.access & (PROCESS_QUERY_LIMITED_INFORMATION | 0x0400):
        raise WinFail(ERROR_ACCESS_DENIED)
    process = st.find_process(_local(call), handle.pid)
    if process is None or dwFlags not in (0, 1):
        raise WinFail(ERROR_INVALID_PARAMETER)
    path = image_path(call.state, process)
    if read_u32(lpdwSize) < len(path) + 1:
        raise WinFail(ERROR_INSUFFICIENT_BUFFER)
    write_bytes(lpExeName, path.encode("utf-16-le") + b"\0\0")
    write_u32(lpdwSize, len(path))
    return 1


@export("kernel32", DWORD, ("hProcess", HANDLE), ("lpCreationTime", PVOID), ("lpExitTime", PVOID),
        ("lpKernelTime", PVOID), ("lpUserTime", PVOID))
def GetProcessTimes(call, hProcess, lpCreationTime, lpExitTime, lpKernelTime, lpUserTime):
    """This process's times (only the pseudo handle of GetCurrentProcess names a process here).

    sdk-api processthreadsapi/nf-processthreadsapi-getprocesstimes: "if a process has spent one second in kernel
    mode, this function will fill the FILETIME structure specified by lpKernelTime with a 64-bit value of ten
    million. That is the number of 100-nanosecond units in one second." The state keeps CPU times in ms.
    """
    if hProcess != CURRENT_PROCESS:
        raise WinFail(ERROR_INVALID_HANDLE)
    process = st.find_process(_local(call), call.state["current_process_id"])
    if process is None:
        raise WinFail(ERROR_INVALID_PARAMETER)
    write_bytes(lpCreationTime, st.filetime(st.controller_now(call.state)).to_bytes(8, "little"))
    write_bytes(lpExitTime, bytes(8))
    write_bytes(lpKernelTime, (process["kernel_time"] * 10000).to_bytes(8, "little"))
    write_bytes(lpUserTime, (process["user_time"] * 10000).to_bytes(8, "little"))
    return 1


@export("kernel32", DWORD)
def GetLastError(call):
    return system_last_error()


@export("kernel32", VOID, ("dwErrCode", DWORD))
def SetLastError(call, dwErrCode):
    set_system_last_error(dwErrCode)


@export("kernel32", DWORD, ("dwProcessId", DWORD), ("pSessionId", LPDWORD))
def ProcessIdToSessionId(call, dwProcessId, pSessionId):
    process = st.find_process(_local(call), dwProcessId)
    if process is None:
        raise WinFail(ERROR_INVALID_PARAMETER)
    write_u32(pSessionId, process["session"])
    return 1


@export("kernel32", DWORD)
def WTSGetActiveConsoleSessionId(call):
    console = _local(call)["console_session_id"]
    return 0xFFFFFFFF if console is None else console


@export("kernel32", DWORD, ("lpBuffer", LPWSTR), ("nSize", LPDWORD))
def GetComputerNameW(call, lpBuffer, nSize):
    name = call.state["local_server"]
    if read_u32(nSize) < len(name) + 1:
        write_u32(nSize, len(name) + 1)
        raise WinFail(ERROR_BUFFER_OVERFLOW)
    write_bytes(lpBuffer, name.encode("utf-16-le") + b"\0\0")
    write_u32(nSize, len(name))
    return 1


def computer_names(state) -> dict:
    """COMPUTER_NAME_FORMAT -> the local server's name of that kind: the NetBIOS name is its key, the DNS host
    name the key in lower case, the DNS domain its ``dns_domain`` (empty outside a DNS domain). The emulated
    host is no cluster node, so the physical names equal the others."""
    netbios = state["local_server"]
    host = netbios.lower()
    domain = state["servers"][netbios].get("dns_domain", "")
    full = "%s.%s" % (host, domain) if domain else host
    names = {0: netbios, 1: host, 2: domain, 3: full}
    names.update({number + 4: name for number, name in list(names.items())})
    return names


@export("kernel32", DWORD, ("NameType", DWORD), ("lpBuffer", LPWSTR), ("nSize", LPDWORD))
def GetComputerNameExW(call, NameType, lpBuffer, nSize):
    # sdk-api sysinfoapi/nf-sysinfoapi-getcomputernameexw: "If the buffer is too small, the function fails and
    # GetLastError returns ERROR_MORE_DATA. This parameter receives the size of the buffer required, including
    # the terminating null character." On success nSize receives the TCHARs copied "not including the
    # terminating null character".
    names = computer_names(call.state)
    if NameType not in names:
        raise WinFail(ERROR_INVALID_PARAMETER)
    name = names[NameType]
    if not lpBuffer or read_u32(nSize) < len(name) + 1:
        write_u32(nSize, len(name) + 1)
        raise WinFail(ERROR_MORE_DATA)
    write_bytes(lpBuffer, name.encode("utf-16-le") + b"\0\0")
    write_u32(nSize, len(name))
    return 1


@export("kernel32", HANDLE, ("dwFlags", DWORD), ("th32ProcessID", DWORD), failure_value=INVALID_HANDLE_VALUE)
def CreateToolhelp32Snapshot(call, dwFlags, th32ProcessID):
    if not dwFlags & TH32CS_SNAPPROCESS:
        raise WinFail(ERROR_INVALID_PARAMETER)
    processes = sorted(_local(call)["processes"], key=lambda p: p["pid"])
    return call.emulator.new_handle("snapshot", call.name, call.state["local_server"], processes=processes,
                                    position=0).value


def _next_process(call, hSnapshot, lppe, first: bool):
    snapshot = call.emulator.handle(hSnapshot, "snapshot", call)
    if read_u32(lppe) != ctypes.sizeof(PROCESSENTRY32W):
        raise WinFail(ERROR_BAD_LENGTH)
    if first:
        snapshot.position = 0
    if snapshot.position >= len(snapshot.processes):
        raise WinFail(ERROR_NO_MORE_FILES)
    process = snapshot.processes[snapshot.position]
    snapshot.position += 1
    entry = fill(PROCESSENTRY32W(), {"dwSize": ctypes.sizeof(PROCESSENTRY32W), "th32ProcessID": process["pid"],
                                     "cntThreads": process["threads"], "th32ParentProcessID": process["parent_pid"],
                                     "pcPriClassBase": 8, "szExeFile": process["name"]})
    write_bytes(lppe, bytes(entry))
    return 1


@export("kernel32", DWORD, ("hSnapshot", HANDLE), ("lppe", PVOID(PROCESSENTRY32W)))
def Process32FirstW(call, hSnapshot, lppe):
    return _next_process(call, hSnapshot, lppe, first=True)


@export("kernel32", DWORD, ("hSnapshot", HANDLE), ("lppe", PVOID(PROCESSENTRY32W)))
def Process32NextW(call, hSnapshot, lppe):
    return _next_process(call, hSnapshot, lppe, first=False)


@export("kernel32", DWORD, ("hObject", HANDLE))
def CloseHandle(call, hObject):
    """Closes the kernel objects the emulator hands out: Toolhelp snapshots, processes and (advapi32) access
    tokens."""
    entry = call.emulator._handles.get(hObject)
    kind = entry.kind if entry is not None and entry.kind in ("token", "process") else "snapshot"
    call.emulator.close_handle(hObject, kind, call)
    return 1


SYSTEM_DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "system32")


@export("kernel32", DWORD, ("lpBuffer", LPWSTR), ("uSize", DWORD))
def GetSystemDirectoryW(call, lpBuffer, uSize):
    """"If the function succeeds, the return value is the length, in TCHARs, of the string copied to the buffer,
    not including the terminating null character. If the length is greater than the size of the buffer, the
    return value is the size of the buffer required to hold the path" (GetSystemDirectoryW, sysinfoapi.h).
    The emulated system directory is a real one of this machine holding the emulated chglogon.exe."""
    path = call.state.get("system_directory") or SYSTEM_DIRECTORY
    if uSize < len(path) + 1:
        return len(path) + 1
    write_bytes(lpBuffer, path.encode("utf-16-le") + b"\0\0")
    return len(path)
