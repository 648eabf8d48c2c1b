"""advapi32.dll: SID lookups against the state's accounts."""

from __future__ import annotations

from . import state as st
from .dll import DWORD, LPDWORD, LPWSTR, PPVOID, PVOID, export
from .errors import (ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_SID, ERROR_NONE_MAPPED, ERROR_RPC_S_SERVER_UNAVAILABLE,
                     WinFail)
from .memory import read_u32, read_wstr, write_bytes, write_ptr, write_u32
from .sids import read_sid, sid_bytes, sid_length

SID_TYPE_USER, SID_TYPE_ALIAS, SID_TYPE_WELL_KNOWN_GROUP = 1, 4, 5


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
    domain, _, name = account.rpartition("\\")
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
