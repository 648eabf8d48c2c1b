# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The LAN Manager server functions of netapi32: NetServerEnum (the Computer Browser's list of servers of a
# domain) and NetServerGetInfo, at level 101 (SERVER_INFO_101). These functions return their status
# instead of setting the thread's last error; their buffers go back with NetApiBufferFree.

import ctypes
from ctypes import POINTER, byref, c_uint32, c_void_p

from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import (
    DWORD,
    LMCSTR,
    LMSTR,
    LPBYTE,
    LPDWORD,
    LPVOID,
    NET_API_STATUS,
    WinApiError,
    api,
    flag_mask,
    read_wide,
    wide,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import (
    ERROR_MORE_DATA,
    MAJOR_VERSION_MASK,
    MAX_PREFERRED_LENGTH,
    NERR_SUCCESS,
    NERR_TEXT,
    PLATFORM_NAMES,
    SV_TYPE_NAMES,
    SV_TYPE_TERMINALSERVER,
)

SV_TYPES = {name: flag for flag, name in SV_TYPE_NAMES.items()}


class SERVER_INFO_101(ctypes.Structure):
    _fields_ = [
        ("sv101_platform_id", c_uint32),
        ("sv101_name", c_void_p),
        ("sv101_version_major", c_uint32),
        ("sv101_version_minor", c_uint32),
        ("sv101_type", c_uint32),
        ("sv101_comment", c_void_p),
    ]


# The prototypes of lmserver.h and lmapibuf.h: name -> (return type, parameter types...). These functions
# return their status instead of setting the thread's last error.
NETAPI32 = {
    "NetServerEnum": (NET_API_STATUS, LMCSTR, DWORD, POINTER(LPBYTE), DWORD, LPDWORD, LPDWORD, DWORD, LMCSTR, LPDWORD),
    "NetServerGetInfo": (NET_API_STATUS, LMSTR, DWORD, POINTER(LPBYTE)),
    "NetApiBufferFree": (NET_API_STATUS, LPVOID),
}


def _net(name):
    """The netapi32 export ``name``, its prototype set from NETAPI32."""
    return api("netapi32", name, NETAPI32[name])


def _failure(function, status, server):
    return WinApiError(function, status, NERR_TEXT.get(status), server)


def _buffer_free(address):
    status = _net("NetApiBufferFree")(address)
    if status != NERR_SUCCESS:
        raise _failure("NetApiBufferFree", status, None)


def _server(info):
    major = info.sv101_version_major & MAJOR_VERSION_MASK
    return {
        "name": read_wide(info.sv101_name),
        "platform_id": info.sv101_platform_id,
        "platform": PLATFORM_NAMES.get(info.sv101_platform_id),
        "version_major": major,
        "version_minor": info.sv101_version_minor,
        "version": "%d.%d" % (major, info.sv101_version_minor),
        "types": [name for flag, name in SV_TYPE_NAMES.items() if info.sv101_type & flag],
        "type_flags": info.sv101_type,
        "comment": read_wide(info.sv101_comment) or None,
    }


def server_enum(domain=None, types=SV_TYPE_TERMINALSERVER):
    """The servers of ``types`` (mask or names) the Computer Browser of this machine knows in ``domain`` (a
    NetBIOS name; None: the primary domain), as ``(servers, more_data)``.

    Each server is a dict: name, platform_id, platform, version_major, version_minor, version, types
    (names), type_flags, comment. ``more_data`` is True when Windows returned ERROR_MORE_DATA with part of
    the list. Without a browser service Windows answers 6118 (ERROR_NO_BROWSER_SERVERS_FOUND).
    """
    enum = _net("NetServerEnum")
    buffer, read, total, resume = c_void_p(), c_uint32(), c_uint32(), c_uint32(0)
    # lmserver/nf-lmserver-netserverenum, servername: "Reserved; must be NULL." Another machine's list is had by
    # running the code there.
    status = enum(None, 101, byref(buffer), MAX_PREFERRED_LENGTH, byref(read), byref(total),
                  flag_mask(types, SV_TYPES, "server type"), wide(domain), byref(resume))
    if status not in (NERR_SUCCESS, ERROR_MORE_DATA):
        raise _failure("NetServerEnum", status, None)
    try:
        entries = (SERVER_INFO_101 * read.value).from_address(buffer.value) if buffer.value is not None else ()
        return [_server(entry) for entry in entries], status == ERROR_MORE_DATA
    finally:
        if buffer.value is not None:
            _buffer_free(buffer.value)


def server_get_info(server=None):
    """NetServerGetInfo level 101 of ``server`` (None: this machine), as a dict shaped like server_enum's."""
    get_info = _net("NetServerGetInfo")
    buffer = c_void_p()
    status = get_info(wide(server), 101, byref(buffer))
    if status != NERR_SUCCESS:
        raise _failure("NetServerGetInfo", status, server)
    try:
        return _server(SERVER_INFO_101.from_address(buffer.value))
    finally:
        _buffer_free(buffer.value)
