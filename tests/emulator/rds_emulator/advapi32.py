"""advapi32.dll: SID lookups against the state's accounts, and the privileges of this process's token."""

from __future__ import annotations

import ctypes
from ctypes import Structure, c_int32, c_uint32

from . import logons
from . import state as st
from .dll import DWORD, HANDLE, LPDWORD, LPWSTR, PPVOID, PVOID, export, set_system_last_error
from .errors import (ERROR_ACCESS_DENIED, ERROR_BAD_NETPATH, ERROR_FILE_NOT_FOUND, ERROR_INSUFFICIENT_BUFFER,
                     ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_INVALID_SID, ERROR_MORE_DATA, ERROR_NONE_MAPPED,
                     ERROR_RPC_S_SERVER_UNAVAILABLE, ERROR_SUCCESS, WinFail)
from .memory import read_u32, read_wstr, write_bytes, write_ptr, write_u32
from .sids import read_sid, sid_bytes, sid_length
from .state import REG_DWORD

SID_TYPE_USER, SID_TYPE_ALIAS, SID_TYPE_WELL_KNOWN_GROUP = 1, 4, 5

ERROR_NOT_ALL_ASSIGNED = 1300
ERROR_NO_SUCH_PRIVILEGE = 1313
CURRENT_PROCESS = 0xFFFFFFFFFFFFFFFF  # GetCurrentProcess()'s pseudo-handle, (HANDLE)-1
TOKEN_ADJUST_PRIVILEGES = 0x20
TOKEN_QUERY = 0x8
SE_PRIVILEGE_ENABLED = 0x2
# The LUIDs Windows gives these privileges (winnt.h SE_*_PRIVILEGE).
PRIVILEGE_LUIDS = {"SeShutdownPrivilege": 19, "SeDebugPrivilege": 20, "SeRemoteShutdownPrivilege": 24}
# What an administrator's token holds (state["held_privileges"] overrides it); none is enabled at first.
ADMINISTRATOR_PRIVILEGES = tuple(PRIVILEGE_LUIDS)


class LUID(Structure):
    _fields_ = [("LowPart", c_uint32), ("HighPart", c_int32)]


class LUID_AND_ATTRIBUTES(Structure):
    _fields_ = [("Luid", LUID), ("Attributes", c_uint32)]


class TOKEN_PRIVILEGES(Structure):
    _fields_ = [("PrivilegeCount", c_uint32), ("Privileges", LUID_AND_ATTRIBUTES * 1)]


def _sid_use(sid: str) -> int:
    if sid.startswith("S-1-5-21-"):
        return SID_TYPE_USER
    if sid.startswith("S-1-5-32-"):
        return SID_TYPE_ALIAS
    return SID_TYPE_WELL_KNOWN_GROUP


def _valid_sid(address: int) -> str:
    sid = read_sid(address)
    if sid is None:
        raise WinFail(ERROR_INVALID_SID)
    return sid


@export("advapi32", DWORD, ("lpSystemName", LPWSTR), ("Sid", PVOID), ("Name", LPWSTR), ("cchName", LPDWORD),
        ("ReferencedDomainName", LPWSTR), ("cchReferencedDomainName", LPDWORD), ("peUse", LPDWORD))
def LookupAccountSidW(call, lpSystemName, Sid, Name, cchName, ReferencedDomainName, cchReferencedDomainName, peUse):
    if lpSystemName:
        key = st.server_key(call.state, read_wstr(lpSystemName))
        if key is None or not call.state["servers"][key]["reachable"]:
            raise WinFail(ERROR_RPC_S_SERVER_UNAVAILABLE)
    sid = _valid_sid(Sid)
    account = call.state["accounts"].get(sid)
    if account is None:
        raise WinFail(ERROR_NONE_MAPPED)
    if isinstance(account, int):
        # sdk-api winbase/nf-winbase-lookupaccountsidw, Remarks: SIDs "not recognized by the primary domain are
        # checked against the trusted domains" and the forest's global catalog; the page names no error for a
        # broken trust or an unreachable domain controller, so a state gives the code it wants (1789, 1355, 1722).
        raise WinFail(account)
    domain, _sep, name = account.rpartition("\\")
    name_units = name.encode("utf-16-le", "surrogatepass")
    domain_units = domain.encode("utf-16-le", "surrogatepass")
    need_name, need_domain = len(name_units) // 2 + 1, len(domain_units) // 2 + 1
    if read_u32(cchName) < need_name or read_u32(cchReferencedDomainName) < need_domain:
        write_u32(cchName, need_name)
        write_u32(cchReferencedDomainName, need_domain)
        raise WinFail(ERROR_INSUFFICIENT_BUFFER)
    write_bytes(Name, name_units + b"\0\0")
    write_bytes(ReferencedDomainName, domain_units + b"\0\0")
    write_u32(cchName, need_name - 1)
    write_u32(cchReferencedDomainName, need_domain - 1)
    write_u32(peUse, _sid_use(sid))
    return 1


@export("advapi32", DWORD, ("Sid", PVOID), ("StringSid", PPVOID))
def ConvertSidToStringSidW(call, Sid, StringSid):
    text = _valid_sid(Sid)
    data = text.encode("utf-16-le") + b"\0\0"
    write_ptr(StringSid, call.emulator.heap.allocate(data, "LocalFree", call.name))
    return 1


@export("advapi32", DWORD, ("StringSid", LPWSTR), ("Sid", PPVOID))
def ConvertStringSidToSidW(call, StringSid, Sid):
    try:
        data = sid_bytes(read_wstr(StringSid) or "")
    except ValueError:
        raise WinFail(ERROR_INVALID_SID) from None
    write_ptr(Sid, call.emulator.heap.allocate(data, "LocalFree", call.name))
    return 1


@export("advapi32", DWORD, ("pSid", PVOID))
def GetLengthSid(call, pSid):
    return sid_length(pSid)


@export("advapi32", DWORD, ("pSid", PVOID))
def IsValidSid(call, pSid):
    return int(read_sid(pSid) is not None)


# --- this process's token ----------------------------------------------------------------------------

@export("advapi32", DWORD, ("ProcessHandle", HANDLE), ("DesiredAccess", DWORD), ("TokenHandle", PPVOID))
def OpenProcessToken(call, ProcessHandle, DesiredAccess, TokenHandle):
    if ProcessHandle != CURRENT_PROCESS:
        call.misuse("0x%x is not this process (GetCurrentProcess() is (HANDLE)-1)" % (ProcessHandle or 0))
        raise WinFail(ERROR_INVALID_HANDLE)
    token = call.emulator.new_handle("token", call.name, call.state["local_server"], access=DesiredAccess)
    write_ptr(TokenHandle, token.value)
    return 1


@export("advapi32", DWORD, ("lpSystemName", LPWSTR), ("lpName", LPWSTR), ("lpLuid", PVOID(LUID)))
def LookupPrivilegeValueW(call, lpSystemName, lpName, lpLuid):
    if lpSystemName:
        call.misuse("asked %r: this process's privileges are looked up on this machine (NULL)"
                    % read_wstr(lpSystemName))
    luid = PRIVILEGE_LUIDS.get(read_wstr(lpName) or "")
    if luid is None:
        raise WinFail(ERROR_NO_SUCH_PRIVILEGE)
    write_bytes(lpLuid, bytes(LUID(LowPart=luid)))
    return 1


@export("advapi32", DWORD, ("TokenHandle", HANDLE), ("DisableAllPrivileges", DWORD),
        ("NewState", PVOID(TOKEN_PRIVILEGES)), ("BufferLength", DWORD), ("PreviousState", PVOID),
        ("ReturnLength", LPDWORD), changes_state=True)  # enabled_privileges
def AdjustTokenPrivileges(call, TokenHandle, DisableAllPrivileges, NewState, BufferLength, PreviousState,
                          ReturnLength):
    """Enables privileges the token holds; like Windows, succeeds with ERROR_NOT_ALL_ASSIGNED for the others.

    sdk-api securitybaseapi/nf-securitybaseapi-adjusttokenprivileges: "If the PreviousState parameter is not
    NULL, the handle must also have TOKEN_QUERY access"; PreviousState receives "the previous state of any
    privileges that the function modifies"; "If you specify a buffer that is too small to receive the complete
    list of modified privileges, the function fails and does not adjust any privileges", with ReturnLength set
    to the bytes required.
    """
    token = call.emulator.handle(TokenHandle, "token", call)
    if not token.access & TOKEN_ADJUST_PRIVILEGES or (PreviousState and not token.access & TOKEN_QUERY):
        raise WinFail(ERROR_ACCESS_DENIED)
    if DisableAllPrivileges or not NewState:
        raise WinFail(ERROR_INVALID_PARAMETER)
    count = read_u32(NewState)
    entries = (LUID_AND_ATTRIBUTES * count).from_address(NewState + TOKEN_PRIVILEGES.Privileges.offset)
    names = {luid: name for name, luid in PRIVILEGE_LUIDS.items()}
    held = call.state.get("held_privileges", ADMINISTRATOR_PRIVILEGES)
    enabled = call.state.setdefault("enabled_privileges", [])
    missing, changes = False, []
    for entry in entries:
        name = names.get(entry.Luid.LowPart)
        if name is None or entry.Luid.HighPart:
            raise WinFail(ERROR_NO_SUCH_PRIVILEGE)
        if name not in held:
            missing = True
        elif bool(entry.Attributes & SE_PRIVILEGE_ENABLED) != (name in enabled):
            changes.append((name, bool(entry.Attributes & SE_PRIVILEGE_ENABLED)))
    if PreviousState or ReturnLength:
        previous = _token_privileges([(PRIVILEGE_LUIDS[name], 0 if enable else SE_PRIVILEGE_ENABLED)
                                      for name, enable in changes])
        if ReturnLength:
            write_u32(ReturnLength, len(previous))
        if PreviousState:
            if BufferLength < len(previous):
                raise WinFail(ERROR_INSUFFICIENT_BUFFER)
            write_bytes(PreviousState, previous)
    for name, enable in changes:
        if enable:
            enabled.append(name)
        else:
            enabled.remove(name)
    set_system_last_error(ERROR_NOT_ALL_ASSIGNED if missing else ERROR_SUCCESS)
    return 1


def _token_privileges(entries) -> bytes:
    """A TOKEN_PRIVILEGES of ``entries`` ((luid, attributes) pairs), at least one entry long."""
    header = len(entries).to_bytes(4, "little")
    rows = b"".join(bytes(LUID_AND_ATTRIBUTES(Luid=LUID(LowPart=luid), Attributes=attributes))
                    for luid, attributes in entries)
    size = max(ctypes.sizeof(TOKEN_PRIVILEGES), TOKEN_PRIVILEGES.Privileges.offset + len(rows))
    return (header + bytes(TOKEN_PRIVILEGES.Privileges.offset - 4) + rows).ljust(size, b"\0")


# --- the registry (logons.py: the values of the logon mode) ---------------------------------------------
# RegConnectRegistryW, RegOpenKeyExW, RegQueryValueExW and RegCloseKey return their status (LSTATUS) and do not
# set the last error: "If the function fails, the return value is a nonzero error code defined in Winerror.h"
# (each function's page, winreg.h).

HKEY_LOCAL_MACHINE = 0xFFFFFFFF80000002  # (HKEY)(ULONG_PTR)((LONG)0x80000002), sign-extended on x64
HKEY_NAMES = {HKEY_LOCAL_MACHINE: "HKLM"}


def _key(call, hKey):
    """(server key, path) of an open key or of the predefined HKEY_LOCAL_MACHINE (this machine)."""
    if hKey in HKEY_NAMES:
        return call.state["local_server"], HKEY_NAMES[hKey]
    entry = call.emulator.handle(hKey, "regkey", call)
    return entry.server, entry.path


def _registry_server(call, name):
    server = call.state["servers"].get(name) if name else None
    if server is None or not server["reachable"]:
        raise WinFail(ERROR_RPC_S_SERVER_UNAVAILABLE)
    return server


@export("advapi32", DWORD, ("lpMachineName", LPWSTR), ("hKey", HANDLE), ("phkResult", PPVOID), status_return=True)
def RegConnectRegistryW(call, lpMachineName, hKey, phkResult):
    """"RegConnectRegistry requires the Remote Registry service to be running on the remote computer"
    (RegConnectRegistryW, Remarks). Microsoft does not say which error a stopped service gives; the emulator
    answers ERROR_BAD_NETPATH (53) for it and for a machine it cannot find. NULL is this machine."""
    if hKey not in HKEY_NAMES:
        raise WinFail(ERROR_INVALID_HANDLE)
    name = read_wstr(lpMachineName) if lpMachineName else None
    key = st.server_key(call.state, (name or "").lstrip("\\") or None)
    if key is None or not call.state["servers"][key]["reachable"]:
        raise WinFail(ERROR_BAD_NETPATH)
    if key != call.state["local_server"] and not call.state["servers"][key]["remote_registry"]:
        raise WinFail(ERROR_BAD_NETPATH)
    entry = call.emulator.new_handle("regkey", call.name, key, path=HKEY_NAMES[hKey])
    write_ptr(phkResult, entry.value)
    return ERROR_SUCCESS


@export("advapi32", DWORD, ("hKey", HANDLE), ("lpSubKey", LPWSTR), ("ulOptions", DWORD), ("samDesired", DWORD),
        ("phkResult", PPVOID), status_return=True)
def RegOpenKeyExW(call, hKey, lpSubKey, ulOptions, samDesired, phkResult):
    """A missing key is ERROR_FILE_NOT_FOUND (2)."""
    server_name, path = _key(call, hKey)
    server = _registry_server(call, server_name)
    sub_key = (read_wstr(lpSubKey) or "").strip("\\")
    full = "%s\\%s" % (path, sub_key) if sub_key else path
    if not logons.key_exists(server, full):
        raise WinFail(ERROR_FILE_NOT_FOUND)
    entry = call.emulator.new_handle("regkey", call.name, server_name, path=full)
    write_ptr(phkResult, entry.value)
    return ERROR_SUCCESS


@export("advapi32", DWORD, ("hKey", HANDLE), ("lpValueName", LPWSTR), ("lpReserved", LPDWORD), ("lpType", LPDWORD),
        ("lpData", PVOID), ("lpcbData", LPDWORD), status_return=True)
def RegQueryValueExW(call, hKey, lpValueName, lpReserved, lpType, lpData, lpcbData):
    """"If the lpData buffer is too small to receive the data, the function returns ERROR_MORE_DATA and stores
    the required buffer size in the variable pointed to by lpcbData"; with lpData NULL and lpcbData set it
    returns ERROR_SUCCESS and the size. A missing value is ERROR_FILE_NOT_FOUND (RegQueryValueExW page)."""
    if lpReserved:
        raise WinFail(ERROR_INVALID_PARAMETER)
    server_name, path = _key(call, hKey)
    server = _registry_server(call, server_name)
    entry = logons.value(server, path, read_wstr(lpValueName) or "")
    if entry is None:
        raise WinFail(ERROR_FILE_NOT_FOUND)
    if entry["type"] == REG_DWORD:
        data = int(entry["data"]).to_bytes(4, "little")
    else:
        data = str(entry["data"]).encode("utf-16-le") + b"\0\0"
    write_u32(lpType, entry["type"])
    if not lpData:
        write_u32(lpcbData, len(data))
        return ERROR_SUCCESS
    if not lpcbData:
        raise WinFail(ERROR_INVALID_PARAMETER)
    if read_u32(lpcbData) < len(data):
        write_u32(lpcbData, len(data))
        raise WinFail(ERROR_MORE_DATA)
    write_bytes(lpData, data)
    write_u32(lpcbData, len(data))
    return ERROR_SUCCESS


@export("advapi32", DWORD, ("hKey", HANDLE), status_return=True)
def RegCloseKey(call, hKey):
    if hKey in HKEY_NAMES:
        return ERROR_SUCCESS
    call.emulator.close_handle(hKey, "regkey", call)
    return ERROR_SUCCESS
