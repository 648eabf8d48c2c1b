# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The base of the ctypes wrapper: DLL loading, errors, UTF-16 text, FILETIME, SIDs, this process's privileges
# and this machine's process tree.
#
# It keeps the Windows boundary contract (docs/architecture.md, "The Windows boundary"): DLLs are loaded at
# first use through ctypes.WinDLL (never at import), functions get argtypes/restype before their first call,
# from the prototype table of their DLL (KERNEL32 and ADVAPI32 here, WTSAPI32 in wts.py, NETAPI32 in
# netapi.py), error codes come from ctypes.get_last_error() and texts from ctypes.FormatError(), both looked
# up at call time, and only the fixed-width types below cross the boundary. It knows nothing of Ansible.

import ctypes
import datetime
from contextlib import contextmanager
from ctypes import POINTER, c_char_p, c_int32, c_int64, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p

from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import (
    AF_INET,
    AF_INET6,
    AF_UNSPEC,
    ERROR_CALL_NOT_IMPLEMENTED,
    ERROR_INSUFFICIENT_BUFFER,
    ERROR_MOD_NOT_FOUND,
    ERROR_MORE_DATA,
    ERROR_NO_MORE_FILES,
    ERROR_NONE_MAPPED,
    ERROR_NOT_ALL_ASSIGNED,
    ERROR_NOT_FOUND,
    ERROR_PROC_NOT_FOUND,
    LONGEST_PATH,
    MAX_PATH,
    NO_CONSOLE_SESSION,
    NO_ERROR,
    PROCESS_QUERY_LIMITED_INFORMATION,
    SE_PRIVILEGE_ENABLED,
    TH32CS_SNAPPROCESS,
    TOKEN_ADJUST_PRIVILEGES,
    TOKEN_QUERY,
    UNLEN,
)

# The Windows SDK's type names as fixed-width ctypes: the same size on Linux x86-64 as on Windows x64 (unlike
# ctypes.wintypes, c_long or c_wchar_p), so that the prototype tables read like the SDK headers.
# tests/unit/plugins/module_utils/test_layouts.py checks each against the headers.
VOID = None
BOOL = c_int32
LONG = c_int32
DWORD = c_uint32
ULONG = c_uint32
UINT = c_uint32
REGSAM = c_uint32
NET_API_STATUS = c_uint32
HANDLE = c_void_p
HKEY = c_void_p
HLOCAL = c_void_p
PVOID = c_void_p
LPVOID = c_void_p
LPBYTE = c_void_p
PSID = c_void_p
LPWSTR = c_void_p  # UTF-16LE text goes through void pointers: wide() builds it, read_wide() reads it
LPCWSTR = c_void_p
LMSTR = c_void_p
LMCSTR = c_void_p
LPSTR = c_char_p
PCHAR = c_char_p
COMPUTER_NAME_FORMAT = c_uint32  # enumerations are 4-byte integers
WTS_INFO_CLASS = c_int32
WTS_TYPE_CLASS = c_int32
WTS_VIRTUAL_CLASS = c_int32
PHANDLE = POINTER(HANDLE)
PHKEY = POINTER(HKEY)
PDWORD = POINTER(DWORD)
LPDWORD = POINTER(DWORD)
PULONG = POINTER(ULONG)
PSID_NAME_USE = POINTER(c_int32)
PLUID = c_void_p  # pointers to structures: byref(structure) passes them
PTOKEN_PRIVILEGES = c_void_p
LPPROCESSENTRY32W = c_void_p
LPFILETIME = POINTER(c_uint64)  # a FILETIME is two DWORDs, read here as one 64-bit count
NETIO_STATUS = c_uint32  # netioapi.h: a DWORD outside the kernel
ADDRESS_FAMILY = c_uint16  # ws2def.h: a USHORT
PMIB_UNICASTIPADDRESS_TABLE = c_void_p

# Prototypes, as the SDK headers declare them: name -> (return type, parameter types...).
KERNEL32 = {  # winbase.h, handleapi.h, processthreadsapi.h, sysinfoapi.h, tlhelp32.h
    "LocalFree": (HLOCAL, HLOCAL),
    "CloseHandle": (BOOL, HANDLE),
    "GetCurrentProcessId": (DWORD,),
    "CreateToolhelp32Snapshot": (HANDLE, DWORD, DWORD),
    "Process32FirstW": (BOOL, HANDLE, LPPROCESSENTRY32W),
    "Process32NextW": (BOOL, HANDLE, LPPROCESSENTRY32W),
    "GetSystemDirectoryW": (UINT, LPWSTR, UINT),
    "GetCurrentProcess": (HANDLE,),
    "GetProcessTimes": (BOOL, HANDLE, LPFILETIME, LPFILETIME, LPFILETIME, LPFILETIME),
    "GetComputerNameExW": (BOOL, COMPUTER_NAME_FORMAT, LPWSTR, LPDWORD),
    "WTSGetActiveConsoleSessionId": (DWORD,),
    "OpenProcess": (HANDLE, DWORD, BOOL, DWORD),
    "QueryFullProcessImageNameW": (BOOL, HANDLE, DWORD, LPWSTR, PDWORD),
}
IPHLPAPI = {  # netioapi.h
    "GetUnicastIpAddressTable": (NETIO_STATUS, ADDRESS_FAMILY, POINTER(PMIB_UNICASTIPADDRESS_TABLE)),
    "FreeMibTable": (VOID, PVOID),
}
ADVAPI32 = {  # winbase.h, sddl.h, processthreadsapi.h, securitybaseapi.h, winreg.h
    "LookupAccountSidW": (BOOL, LPCWSTR, PSID, LPWSTR, LPDWORD, LPWSTR, LPDWORD, PSID_NAME_USE),
    "ConvertSidToStringSidW": (BOOL, PSID, POINTER(LPWSTR)),
    "OpenProcessToken": (BOOL, HANDLE, DWORD, PHANDLE),
    "LookupPrivilegeValueW": (BOOL, LPCWSTR, LPCWSTR, PLUID),
    "AdjustTokenPrivileges": (BOOL, HANDLE, BOOL, PTOKEN_PRIVILEGES, DWORD, PTOKEN_PRIVILEGES, PDWORD),
    "RegConnectRegistryW": (LONG, LPCWSTR, HKEY, PHKEY),
    "RegOpenKeyExW": (LONG, HKEY, LPCWSTR, DWORD, REGSAM, PHKEY),
    "RegQueryValueExW": (LONG, HKEY, LPCWSTR, LPDWORD, LPDWORD, LPBYTE, LPDWORD),
    "RegCloseKey": (LONG, HKEY),
}

INVALID_HANDLE_VALUE = ctypes.c_void_p(-1).value

_FILETIME_EPOCH = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)
_loaded = {}  # DLL name -> (the ctypes.WinDLL it came from, the loaded DLL)


class PROCESSENTRY32W(ctypes.Structure):
    _fields_ = [
        ("dwSize", ctypes.c_uint32),
        ("cntUsage", ctypes.c_uint32),
        ("th32ProcessID", ctypes.c_uint32),
        ("th32DefaultHeapID", ctypes.c_void_p),  # ULONG_PTR: pointer-sized
        ("th32ModuleID", ctypes.c_uint32),
        ("cntThreads", ctypes.c_uint32),
        ("th32ParentProcessID", ctypes.c_uint32),
        ("pcPriClassBase", ctypes.c_int32),
        ("dwFlags", ctypes.c_uint32),
        ("szExeFile", ctypes.c_uint16 * MAX_PATH),
    ]


class LUID(ctypes.Structure):
    _fields_ = [
        ("LowPart", ctypes.c_uint32),
        ("HighPart", ctypes.c_int32),
    ]


class LUID_AND_ATTRIBUTES(ctypes.Structure):
    _fields_ = [
        ("Luid", LUID),
        ("Attributes", ctypes.c_uint32),
    ]


class TOKEN_PRIVILEGES(ctypes.Structure):
    _fields_ = [
        ("PrivilegeCount", ctypes.c_uint32),
        ("Privileges", LUID_AND_ATTRIBUTES * 1),  # ANYSIZE_ARRAY
    ]


class SOCKADDR_IN(ctypes.Structure):
    # sin_addr is an IN_ADDR, a union with a ULONG (4-byte aligned): its bytes in network order, read as one ULONG
    _fields_ = [("sin_family", c_uint16), ("sin_port", c_uint16), ("sin_addr", c_uint32), ("sin_zero", c_uint8 * 8)]


class SOCKADDR_IN6(ctypes.Structure):
    _fields_ = [("sin6_family", c_uint16), ("sin6_port", c_uint16), ("sin6_flowinfo", c_uint32),
                ("sin6_addr", c_uint8 * 16), ("sin6_scope_id", c_uint32)]


class SOCKADDR_INET(ctypes.Union):
    _fields_ = [("Ipv4", SOCKADDR_IN), ("Ipv6", SOCKADDR_IN6), ("si_family", c_uint16)]


class MIB_UNICASTIPADDRESS_ROW(ctypes.Structure):
    _fields_ = [
        ("Address", SOCKADDR_INET),
        ("InterfaceLuid", c_uint64),
        ("InterfaceIndex", c_uint32),
        ("PrefixOrigin", c_int32),
        ("SuffixOrigin", c_int32),
        ("ValidLifetime", c_uint32),
        ("PreferredLifetime", c_uint32),
        ("OnLinkPrefixLength", c_uint8),
        ("SkipAsSource", c_uint8),
        ("DadState", c_int32),
        ("ScopeId", c_uint32),
        ("CreationTimeStamp", c_int64),
    ]


class MIB_UNICASTIPADDRESS_TABLE(ctypes.Structure):
    _fields_ = [
        ("NumEntries", c_uint32),
        ("Table", MIB_UNICASTIPADDRESS_ROW * 1),  # ANY_SIZE: NumEntries rows in fact
    ]


class WinApiError(Exception):
    """A Windows API function failed: its name, the Windows error code and text, and the server if known."""

    def __init__(self, function, code, text=None, server=None):
        super().__init__(function, code, text, server)
        self.function = function
        self.code = code
        self.text = error_text(code) if text is None else text
        self.server = server

    def __str__(self):
        where = " on %s" % self.server if self.server else ""
        return "%s failed%s: [%d] %s" % (self.function, where, self.code, self.text)


def error_text(code):
    """The system's message for a Windows error code (``ctypes.FormatError``), without trailing newlines."""
    format_error = getattr(ctypes, "FormatError", None)
    text = format_error(code).strip() if format_error else ""
    return text or "Windows error %d" % code


def last_error(function, server=None):
    """A WinApiError for ``function`` carrying the thread's last Windows error (``ctypes.get_last_error``)."""
    return WinApiError(function, ctypes.get_last_error(), server=server)


def load_dll(name, function=None):
    """The DLL ``name`` loaded once with ``use_last_error``; again only if ``ctypes.WinDLL`` was replaced.

    ``function`` names the API being reached for, so that the error on a machine without the DLL says
    which call could not be made.
    """
    loader = getattr(ctypes, "WinDLL", None)
    if loader is None:
        raise WinApiError(function or name, ERROR_CALL_NOT_IMPLEMENTED,
                          "%s.dll is only available on Windows" % name)
    cached = _loaded.get(name)
    if cached is None or cached[0] is not loader:
        try:
            cached = (loader, loader(name, use_last_error=True))
        except OSError as error:
            raise WinApiError(function or name, getattr(error, "winerror", None) or ERROR_MOD_NOT_FOUND)
        _loaded[name] = cached
    return cached[1]


def api(dll_name, name, prototype):
    """The export ``name`` of ``dll_name`` with its ``prototype`` set (``(restype, argtypes...)``, from the DLL's
    table); WinApiError 127 if the DLL lacks it."""
    restype, argtypes = prototype[0], prototype[1:]
    dll = load_dll(dll_name, name)
    try:
        function = getattr(dll, name)
    except AttributeError:
        raise WinApiError(name, ERROR_PROC_NOT_FOUND)
    if function.argtypes != argtypes:  # once per function object: no re-setting while another thread calls
        function.argtypes = argtypes
        function.restype = restype
    return function


def kernel32(name):
    """The kernel32 export ``name``, its prototype set from KERNEL32."""
    return api("kernel32", name, KERNEL32[name])


def iphlpapi(name):
    """The iphlpapi export ``name``, its prototype set from IPHLPAPI."""
    return api("iphlpapi", name, IPHLPAPI[name])


def advapi32(name):
    """The advapi32 export ``name``, its prototype set from ADVAPI32."""
    return api("advapi32", name, ADVAPI32[name])


def flag_mask(value, flags, what):
    """A bit mask from an int, one name of the dict ``flags`` or a list of its names (``what`` they are)."""
    if isinstance(value, int):
        return value
    mask = 0
    for name in [value] if isinstance(value, str) else value:
        if name not in flags:
            raise ValueError("unknown %s %r; known: %s" % (what, name, ", ".join(flags)))
        mask |= flags[name]
    return mask


def wide(text):
    """``text`` as a NUL-terminated UTF-16LE buffer (non-BMP characters as surrogate pairs); None stays None."""
    if text is None:
        return None
    data = text.encode("utf-16-le")
    buffer = (ctypes.c_uint16 * (len(data) // 2 + 1))()
    ctypes.memmove(buffer, data, len(data))
    return buffer


def decode_wide(data):
    """The text of UTF-16LE bytes up to the first NUL; invalid sequences become U+FFFD."""
    return data.decode("utf-16-le", "replace").split("\0", 1)[0]


def read_wide(address, chars=None):
    """The NUL-terminated UTF-16LE string at ``address`` (at most ``chars`` units if given); None for NULL."""
    if not address:
        return None
    if chars is None:
        units = ctypes.cast(address, ctypes.POINTER(ctypes.c_uint16))
        chars = 0
        while units[chars]:
            chars += 1
    return decode_wide(ctypes.string_at(address, chars * 2))


def filetime_to_datetime(value):
    """An aware UTC datetime from a FILETIME/LARGE_INTEGER time (100 ns since 1601); None for 0 (never)."""
    if value <= 0:
        return None
    return _FILETIME_EPOCH + datetime.timedelta(microseconds=value // 10)


def iso_time(value):
    """An aware datetime as ISO 8601 UTC (``2026-03-14T08:02:11Z``); None stays None."""
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def lookup_account(sid_address, cache, server=None, failures=None):
    """``("DOMAIN\\\\name" or None, "S-1-...")`` for the binary SID at ``sid_address``; ``(None, None)`` for NULL.

    ``cache`` (a dict the caller keeps) holds one answer per distinct SID, so a list of processes costs one
    LookupAccountSidW per owner. ``server`` is the machine whose accounts are asked first (None: this one).
    A SID without an account (ERROR_NONE_MAPPED) gives None as the user. Any other failure (a broken trust,
    an unreachable domain controller: the documentation names no such error, so none is assumed) also gives
    None, and its WinApiError is appended to ``failures`` (a list) when given, else raised.
    """
    if not sid_address:
        return None, None
    sub_authorities = ctypes.c_uint8.from_address(sid_address + 1).value
    key = ctypes.string_at(sid_address, 8 + 4 * sub_authorities)
    if key not in cache:
        try:
            name = _account_name(sid_address, server)
        except WinApiError as error:
            if failures is None:
                raise
            failures.append(error)
            name = None
        cache[key] = (name, _sid_string(sid_address))
    return cache[key]


def _account_name(sid_address, server):
    lookup = advapi32("LookupAccountSidW")
    system = wide(server)
    name_chars, domain_chars = ctypes.c_uint32(UNLEN), ctypes.c_uint32(UNLEN)
    use = ctypes.c_int32()
    for _attempt in range(2):  # the second attempt gets the sizes the first one asked for
        name = (ctypes.c_uint16 * name_chars.value)()
        domain = (ctypes.c_uint16 * domain_chars.value)()
        if lookup(system, sid_address, name, ctypes.byref(name_chars), domain,
                  ctypes.byref(domain_chars), ctypes.byref(use)):
            return qualified_name(decode_wide(bytes(domain)), decode_wide(bytes(name)))
        code = ctypes.get_last_error()
        if code != ERROR_INSUFFICIENT_BUFFER:
            break
    if code == ERROR_NONE_MAPPED:
        return None
    raise WinApiError("LookupAccountSidW", code, server=server)


def qualified_name(domain, name):
    """``DOMAIN\\\\name``, or just ``name`` when there is no domain (for example ``Everyone``); None if no name."""
    if not name:
        return None
    return "%s\\%s" % (domain, name) if domain else name


def _sid_string(sid_address):
    convert = advapi32("ConvertSidToStringSidW")
    text = ctypes.c_void_p()
    if not convert(sid_address, ctypes.byref(text)):
        raise last_error("ConvertSidToStringSidW")
    try:
        return read_wide(text.value)
    finally:
        local_free(text.value)


def local_free(address):
    """Free memory that a Windows API allocated with LocalAlloc (for example ConvertSidToStringSidW's)."""
    if kernel32("LocalFree")(address):
        raise last_error("LocalFree")


@contextmanager
def privilege_enabled(name):
    """Privilege ``name`` (``SeShutdownPrivilege``) enabled in this process's token for the ``with`` block, and
    put back as it was afterwards (disabled again unless it already was enabled).

    OpenProcessToken on GetCurrentProcess() (processthreadsapi getcurrentprocess: "it is best to call
    GetCurrentProcess instead of hard-coding this constant value"), LookupPrivilegeValueW and
    AdjustTokenPrivileges, whose PreviousState holds "the previous state of any privileges that the function
    modifies" (adjusttokenprivileges) and is applied again on leaving; the token handle is always closed. A
    privilege the account does not hold stays off without an error (ERROR_NOT_ALL_ASSIGNED): the call that
    needs it then fails with 1314 (ERROR_PRIVILEGE_NOT_HELD), which names the function that needed it.
    """
    open_token = advapi32("OpenProcessToken")
    current_process = kernel32("GetCurrentProcess")()
    token = ctypes.c_void_p()
    # "If the PreviousState parameter is not NULL, the handle must also have TOKEN_QUERY access."
    if not open_token(current_process, TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, ctypes.byref(token)):
        raise last_error("OpenProcessToken")
    try:
        lookup = advapi32("LookupPrivilegeValueW")
        wanted = TOKEN_PRIVILEGES(PrivilegeCount=1)
        if not lookup(None, wide(name), ctypes.byref(wanted.Privileges[0].Luid)):
            raise last_error("LookupPrivilegeValueW")
        wanted.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED
        previous = TOKEN_PRIVILEGES()  # one privilege is asked for, so at most one comes back
        _adjust_privileges(token, wanted, previous)
        try:
            yield
        finally:
            if previous.PrivilegeCount:  # zero: "no privileges have been changed by this function"
                _adjust_privileges(token, previous, None)
    finally:
        kernel32("CloseHandle")(token)


def _adjust_privileges(token, new_state, previous):
    adjust = advapi32("AdjustTokenPrivileges")
    returned = ctypes.c_uint32()
    if previous is None:
        size, previous_ref, returned_ref = 0, None, None
    else:
        size, previous_ref, returned_ref = ctypes.sizeof(previous), ctypes.byref(previous), ctypes.byref(returned)
    if not adjust(token, False, ctypes.byref(new_state), size, previous_ref, returned_ref):
        raise last_error("AdjustTokenPrivileges")
    code = ctypes.get_last_error()  # it succeeds also when it enabled nothing
    if code not in (0, ERROR_NOT_ALL_ASSIGNED):
        raise WinApiError("AdjustTokenPrivileges", code)


_COMPUTER_NAME_CHARS = 256


def computer_name(name_type):
    """GetComputerNameExW: this machine's name of COMPUTER_NAME_FORMAT ``name_type`` ("" when it has none).

    getcomputernameexw: "If the buffer is too small, the function fails and GetLastError returns
    ERROR_MORE_DATA. This parameter receives the size of the buffer required", so a second call gets it.
    """
    get_name = kernel32("GetComputerNameExW")
    size = ctypes.c_uint32(_COMPUTER_NAME_CHARS)
    for _attempt in range(2):
        buffer = (ctypes.c_uint16 * size.value)()
        if get_name(name_type, buffer, ctypes.byref(size)):
            return decode_wide(bytes(buffer)[:size.value * 2])
        error = last_error("GetComputerNameExW")
        if error.code != ERROR_MORE_DATA:
            break
    raise error


def own_cpu_time():
    """This process's user plus kernel CPU time in 100-ns units (GetProcessTimes on GetCurrentProcess()).

    getprocesstimes: "if a process has spent one second in kernel mode, this function will fill the FILETIME
    structure specified by lpKernelTime with a 64-bit value of ten million."
    """
    get_times = kernel32("GetProcessTimes")
    created, exited, kernel, user = (ctypes.c_uint64() for _index in range(4))
    current_process = kernel32("GetCurrentProcess")()
    if not get_times(current_process, ctypes.byref(created), ctypes.byref(exited), ctypes.byref(kernel),
                     ctypes.byref(user)):
        raise last_error("GetProcessTimes")
    return kernel.value + user.value


def own_addresses():
    """This machine's own unicast IP addresses (a set of ipaddress objects, IPv6 without their zone).

    getunicastipaddresstable: "retrieves the unicast IP address table on the local computer"; with AF_UNSPEC
    it "returns the unicast IP address table containing both IPv4 and IPv6 entries"; ERROR_NOT_FOUND "if no
    unicast IP address entries ... were found" (an empty set here); "free the memory by calling the
    FreeMibTable". Any other status raises WinApiError.
    """
    table = c_void_p()
    status = iphlpapi("GetUnicastIpAddressTable")(AF_UNSPEC, ctypes.byref(table))
    if status == ERROR_NOT_FOUND:
        return set()
    if status != NO_ERROR:
        raise WinApiError("GetUnicastIpAddressTable", status)
    try:
        count = c_uint32.from_address(table.value).value
        # "may contain padding for alignment between the NumEntries member and the first
        # MIB_UNICASTIPADDRESS_ROW": the rows start at the offset of the Table array, as the SDK lays it out.
        rows = (MIB_UNICASTIPADDRESS_ROW * count).from_address(table.value + MIB_UNICASTIPADDRESS_TABLE.Table.offset)
        return {address for address in map(_row_address, rows) if address is not None}
    finally:
        iphlpapi("FreeMibTable")(table)


def _row_address(row):
    # Imported here: ipaddress costs about 3 ms of a task's start on the host, and only a server named by an
    # address needs this (docs/performance.md, "Host-side CPU").
    import ipaddress

    family = row.Address.si_family
    if family == AF_INET:
        return ipaddress.IPv4Address(row.Address.Ipv4.sin_addr.to_bytes(4, "little"))  # memory order: x64 is LE
    if family == AF_INET6:
        return ipaddress.IPv6Address(bytes(row.Address.Ipv6.sin6_addr))
    return None


def process_image_path(pid):
    """The full path of the program of this machine's process ``pid``, or None when Windows does not tell it.

    OpenProcess with PROCESS_QUERY_LIMITED_INFORMATION, then QueryFullProcessImageNameW (dwFlags 0: "The name
    should use the Win32 path format"; lpdwSize "On input, specifies the size of the lpExeName buffer, in
    characters. On success, receives the number of characters written to the buffer, not including the
    null-terminating character"). openprocess: "If the specified process is the System process or one of the
    Client Server Run-Time Subsystem (CSRSS) processes, this function fails and the last error code is
    ERROR_ACCESS_DENIED". Any failure (that one, a process that ended, a path longer than a buffer of
    LONGEST_PATH) gives None: the caller treats an unknown path as the safe case.
    """
    handle = kernel32("OpenProcess")(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return None
    try:
        for chars in (MAX_PATH, LONGEST_PATH):
            buffer, size = (ctypes.c_uint16 * chars)(), c_uint32(chars)
            if kernel32("QueryFullProcessImageNameW")(handle, 0, buffer, ctypes.byref(size)):
                return decode_wide(bytes(buffer)[:2 * size.value])
        return None
    finally:
        kernel32("CloseHandle")(handle)


def active_console_session_id():
    """WTSGetActiveConsoleSessionId: the ID of the session attached to this machine's physical console, or None.

    wtsgetactiveconsolesessionid: "The session identifier of the session that is attached to the physical
    console. If there is no session attached to the physical console, (for example, if the physical console
    session is in the process of being attached or detached), this function returns 0xFFFFFFFF."
    """
    session_id = kernel32("WTSGetActiveConsoleSessionId")()
    return None if session_id == NO_CONSOLE_SESSION else session_id


def current_process_id():
    """GetCurrentProcessId: the pid of this process as Windows knows it."""
    return kernel32("GetCurrentProcessId")()


def process_tree():
    """This machine's processes from a Toolhelp snapshot: dicts of pid, parent_pid and name (the exe file).

    Windows keeps the parent pid of a process whose parent has exited; it may since belong to another.
    """
    snapshot = kernel32("CreateToolhelp32Snapshot")
    handle = snapshot(TH32CS_SNAPPROCESS, 0)
    if handle in (None, INVALID_HANDLE_VALUE):
        raise last_error("CreateToolhelp32Snapshot")
    try:
        return list(_snapshot_processes(handle))
    finally:
        kernel32("CloseHandle")(handle)


def _snapshot_processes(handle):
    entry = PROCESSENTRY32W(dwSize=ctypes.sizeof(PROCESSENTRY32W))
    function = "Process32FirstW"
    while kernel32(function)(
            handle, ctypes.byref(entry)):
        yield {"pid": entry.th32ProcessID, "parent_pid": entry.th32ParentProcessID,
               "name": decode_wide(bytes(entry.szExeFile))}
        function = "Process32NextW"
    error = last_error(function)
    if error.code != ERROR_NO_MORE_FILES:
        raise error


def system_directory():
    """GetSystemDirectoryW: the path of the system directory (``C:\\Windows\\system32``).

    "If the length is greater than the size of the buffer, the return value is the size of the buffer
    required to hold the path"; 0 is a failure (GetSystemDirectoryW, sysinfoapi.h).
    """
    get = kernel32("GetSystemDirectoryW")
    chars = MAX_PATH
    for _attempt in range(2):
        buffer = (ctypes.c_uint16 * chars)()
        length = get(buffer, chars)
        if length == 0:
            raise last_error("GetSystemDirectoryW")
        if length < chars:
            return decode_wide(bytes(buffer)[:2 * length])
        chars = length
    raise WinApiError("GetSystemDirectoryW", ERROR_INSUFFICIENT_BUFFER)
