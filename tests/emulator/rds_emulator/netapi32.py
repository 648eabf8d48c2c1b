"""netapi32.dll: NetServerEnum over the emulated Computer Browser list. NetAPI returns its status code."""

from __future__ import annotations

import ctypes

from . import state as st
from .dll import DWORD, LPDWORD, LPWSTR, PPVOID, PVOID, export
from .errors import (ERROR_BAD_NETPATH, ERROR_INVALID_LEVEL, ERROR_INVALID_PARAMETER, ERROR_MORE_DATA,
                     ERROR_NO_BROWSER_SERVERS_FOUND, WinFail)
from .memory import read_wstr, wstr, write_ptr, write_u32
from .structs import SERVER_INFO_100, SERVER_INFO_101

NERR_SUCCESS = 0
NERR_SERVER_NOT_STARTED = 2114
MAX_PREFERRED_LENGTH = 0xFFFFFFFF
SV_TYPE_ALL = 0xFFFFFFFF
PLATFORM_ID_NT = 500
# workstation, server, domain member, NT, server NT, terminal server
DEFAULT_SERVER_TYPE = 0x1 | 0x2 | 0x100 | 0x1000 | 0x8000 | 0x02000000
LEVELS = {100: SERVER_INFO_100, 101: SERVER_INFO_101}


def _row(level: int, entry: dict) -> dict:
    if level == 100:
        return {"sv100_platform_id": entry.get("platform_id", PLATFORM_ID_NT), "sv100_name": wstr(entry["name"])}
    return {"sv101_platform_id": entry.get("platform_id", PLATFORM_ID_NT), "sv101_name": wstr(entry["name"]),
            "sv101_version_major": entry.get("version_major", 10), "sv101_version_minor": entry.get("version_minor", 0),
            "sv101_type": entry.get("type", DEFAULT_SERVER_TYPE), "sv101_comment": wstr(entry.get("comment", ""))}


def _row_size(level: int, entry: dict) -> int:
    strings = [entry["name"]] + ([entry.get("comment", "")] if level == 101 else [])
    return ctypes.sizeof(LEVELS[level]) + sum(2 * len(text) + 2 for text in strings)


def _reachable_server(call, name_address):
    key = st.server_key(call.state, read_wstr(name_address))
    if key is None or not call.state["servers"][key]["reachable"]:
        raise WinFail(ERROR_BAD_NETPATH)
    return key, call.state["servers"][key]


@export("netapi32", DWORD, ("servername", LPWSTR), ("level", DWORD), ("bufptr", PPVOID), ("prefmaxlen", DWORD),
        ("entriesread", LPDWORD), ("totalentries", LPDWORD), ("servertype", DWORD), ("domain", LPWSTR),
        ("resume_handle", LPDWORD), status_return=True)
def NetServerEnum(call, servername, level, bufptr, prefmaxlen, entriesread, totalentries, servertype, domain,
                  resume_handle):
    write_ptr(bufptr, None)
    write_u32(entriesread, 0)
    write_u32(totalentries, 0)
    if servername:
        # sdk-api lmserver/nf-lmserver-netserverenum, servername: "Reserved; must be NULL." The page names no
        # outcome for another value; "ERROR_INVALID_PARAMETER: The parameter is incorrect." is one it lists.
        call.misuse("servername %r: Reserved; must be NULL" % read_wstr(servername))
        raise WinFail(ERROR_INVALID_PARAMETER)
    if level not in LEVELS:
        raise WinFail(ERROR_INVALID_LEVEL)
    browser = call.state["browser"]
    wanted_domain = (read_wstr(domain) or browser["primary_domain"]).lower()
    in_domain = [e for e in browser["entries"] if e.get("domain", browser["primary_domain"]).lower() == wanted_domain]
    if not browser["available"] or not in_domain:
        raise WinFail(ERROR_NO_BROWSER_SERVERS_FOUND)
    entries = [e for e in in_domain if servertype == SV_TYPE_ALL or e.get("type", DEFAULT_SERVER_TYPE) & servertype]
    shown = entries[: (len(entries) + 1) // 2] if browser["more_data"] else entries
    if prefmaxlen != MAX_PREFERRED_LENGTH:
        fitting, used = [], 0
        for entry in shown:
            used += _row_size(level, entry)
            if used > prefmaxlen:
                break
            fitting.append(entry)
        shown = fitting
    if shown:
        rows = [_row(level, entry) for entry in shown]
        write_ptr(bufptr, call.emulator.heap.pack(LEVELS[level], rows, "NetApiBufferFree", call.name))
    write_u32(entriesread, len(shown))
    write_u32(totalentries, len(entries))
    return ERROR_MORE_DATA if len(shown) < len(entries) else NERR_SUCCESS


@export("netapi32", DWORD, ("servername", LPWSTR), ("level", DWORD), ("bufptr", PPVOID), status_return=True)
def NetServerGetInfo(call, servername, level, bufptr):
    write_ptr(bufptr, None)
    key, server = _reachable_server(call, servername)
    if not server.get("server_service", True):
        # sdk-api lmserver/nf-lmserver-netservergetinfo, return codes: "NERR_ServerNotStarted 2114 The server
        # service is not started." (hardened hosts disable the Server service)
        raise WinFail(NERR_SERVER_NOT_STARTED)
    if level not in LEVELS:
        raise WinFail(ERROR_INVALID_LEVEL)
    major, _dot, minor = server["os_version"].partition(".")
    entry = {"name": key, "version_major": int(major), "version_minor": int(minor or 0), "comment": ""}
    for listed in call.state["browser"]["entries"]:
        if listed["name"].lower() == key.lower():
            entry.update(type=listed.get("type", DEFAULT_SERVER_TYPE), comment=listed.get("comment", ""))
    write_ptr(bufptr, call.emulator.heap.pack(LEVELS[level], [_row(level, entry)], "NetApiBufferFree", call.name))
    return NERR_SUCCESS


@export("netapi32", DWORD, ("Buffer", PVOID), status_return=True)
def NetApiBufferFree(call, Buffer):
    if Buffer and not call.emulator.heap.free(Buffer, call.name):
        raise WinFail(ERROR_INVALID_PARAMETER)
    return NERR_SUCCESS
