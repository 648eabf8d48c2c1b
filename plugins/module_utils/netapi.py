# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The LAN Manager server functions of netapi32: NetServerEnum (the Computer Browser's list of servers of a
# domain) and NetServerGetInfo, at level 101 (SERVER_INFO_101). These functions return their status
# instead of setting the thread's last error; their buffers go back with NetApiBufferFree.

import ctypes
from ctypes import POINTER, byref, c_uint32, c_void_p

from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError, api, flag_mask, read_wide, wide

NERR_SUCCESS = 0
ERROR_MORE_DATA = 234
ERROR_NO_BROWSER_SERVERS_FOUND = 6118
MAX_PREFERRED_LENGTH = 0xFFFFFFFF
MAJOR_VERSION_MASK = 0x0F

# The system message table has no text for the NERR_* codes (they live in netmsg.dll).
_NERR_TEXT = {
    2114: "The Server service is not started.",
    2127: "A remote error occurred with no data returned by the server.",
    2138: "The Workstation service has not been started.",
    2184: "The service has not been started.",
}

PLATFORM_NAMES = {300: "dos", 400: "os2", 500: "nt", 600: "osf", 700: "vms"}

SV_TYPE_TERMINALSERVER = 0x02000000
SV_TYPE_ALL = 0xFFFFFFFF
SV_TYPE_NAMES = {
    0x00000001: "workstation",
    0x00000002: "server",
    0x00000004: "sqlserver",
    0x00000008: "domain_ctrl",
    0x00000010: "domain_bakctrl",
    0x00000020: "time_source",
    0x00000040: "afp",
    0x00000080: "novell",
    0x00000100: "domain_member",
    0x00000200: "printq_server",
    0x00000400: "dialin_server",
    0x00000800: "xenix_server",
    0x00001000: "nt",
    0x00002000: "wfw",
    0x00004000: "server_mfpn",
    0x00008000: "server_nt",
    0x00010000: "potential_browser",
    0x00020000: "backup_browser",
    0x00040000: "master_browser",
    0x00080000: "domain_master",
    0x00100000: "server_osf",
    0x00200000: "server_vms",
    0x00400000: "windows",
    0x00800000: "dfs",
    0x01000000: "cluster_nt",
    SV_TYPE_TERMINALSERVER: "terminal_server",
    0x04000000: "cluster_vs_nt",
    0x10000000: "dce",
    0x20000000: "alternate_xport",
    0x40000000: "local_list_only",
    0x80000000: "domain_enum",
}
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


def _net(name, *argtypes):
    return api("netapi32", name, c_uint32, *argtypes)


def _failure(function, status, server):
    return WinApiError(function, status, _NERR_TEXT.get(status), server)


def _buffer_free(address):
    status = _net("NetApiBufferFree", c_void_p)(address)
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


def server_enum(domain=None, types=SV_TYPE_TERMINALSERVER, server=None):
    """The servers of ``types`` (mask or names) the Computer Browser knows in ``domain`` (a NetBIOS name;
    None: the primary domain), as ``(servers, more_data)``.

    Each server is a dict: name, platform_id, platform, version_major, version_minor, version, types
    (names), type_flags, comment. ``more_data`` is True when Windows returned ERROR_MORE_DATA with part of
    the list. ``server`` is passed as NetServerEnum's servername, which Microsoft documents as reserved
    (NULL). Without a browser service Windows answers 6118 (ERROR_NO_BROWSER_SERVERS_FOUND).
    """
    enum = _net("NetServerEnum", c_void_p, c_uint32, POINTER(c_void_p), c_uint32, POINTER(c_uint32),
                POINTER(c_uint32), c_uint32, c_void_p, POINTER(c_uint32))
    buffer, read, total, resume = c_void_p(), c_uint32(), c_uint32(), c_uint32(0)
    status = enum(wide(server), 101, byref(buffer), MAX_PREFERRED_LENGTH, byref(read), byref(total),
                  flag_mask(types, SV_TYPES, "server type"), wide(domain), byref(resume))
    if status not in (NERR_SUCCESS, ERROR_MORE_DATA):
        raise _failure("NetServerEnum", status, server)
    try:
        entries = (SERVER_INFO_101 * read.value).from_address(buffer.value) if buffer.value is not None else ()
        return [_server(entry) for entry in entries], status == ERROR_MORE_DATA
    finally:
        if buffer.value is not None:
            _buffer_free(buffer.value)


def server_get_info(server=None):
    """NetServerGetInfo level 101 of ``server`` (None: this machine), as a dict shaped like server_enum's."""
    get_info = _net("NetServerGetInfo", c_void_p, c_uint32, POINTER(c_void_p))
    buffer = c_void_p()
    status = get_info(wide(server), 101, byref(buffer))
    if status != NERR_SUCCESS:
        raise _failure("NetServerGetInfo", status, server)
    try:
        return _server(SERVER_INFO_101.from_address(buffer.value))
    finally:
        _buffer_free(buffer.value)
