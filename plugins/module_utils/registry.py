# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Reading registry values through advapi32 (ctypes), on this machine or on another one. Python's winreg would
# do the same on Windows; the ctypes functions are used so that every call to Windows goes through the one
# boundary the emulated host stands behind (winapi.py). The Reg* functions return their error code
# ("If the function fails, the return value is a nonzero error code defined in Winerror.h", RegOpenKeyExW,
# RegQueryValueExW, RegConnectRegistryW, RegCloseKey pages, winreg.h); they do not set the last error.

import ctypes

from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError, advapi32, decode_wide, wide
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import (
    ERROR_FILE_NOT_FOUND,
    ERROR_MORE_DATA,
    KEY_QUERY_VALUE,
    KEY_WOW64_64KEY,
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_SZ,
)

HKEY_LOCAL_MACHINE = ctypes.c_void_p(-0x7FFFFFFE).value  # (HKEY)(ULONG_PTR)((LONG)0x80000002): pointer-sized


def _check(function, status, server):
    if status:
        raise WinApiError(function, status, server=server)


def read_values(server, wanted):
    """The registry values ``wanted`` ({sub key of HKEY_LOCAL_MACHINE: [value names]}) on ``server`` (None: this
    machine), as {sub key: {name: int (REG_DWORD), str (REG_SZ, REG_EXPAND_SZ) or None (no such value, or the
    key is missing)}}.

    A remote server is reached once, with RegConnectRegistryW, which "requires the Remote Registry service to
    be running on the remote computer" (its Remarks); its failure is raised as a WinApiError.
    """
    root = HKEY_LOCAL_MACHINE
    if server is not None:
        remote = ctypes.c_void_p()
        connect = advapi32("RegConnectRegistryW")
        _check("RegConnectRegistryW", connect(wide("\\\\" + server.lstrip("\\")), root, ctypes.byref(remote)), server)
        root = remote.value
    try:
        return {sub_key: _read_key(root, sub_key, names, server) for sub_key, names in wanted.items()}
    finally:
        if server is not None:
            _close(root)


def _read_key(root, sub_key, names, server):
    open_key = advapi32("RegOpenKeyExW")
    key = ctypes.c_void_p()
    status = open_key(root, wide(sub_key), 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, ctypes.byref(key))
    if status == ERROR_FILE_NOT_FOUND:
        return dict.fromkeys(names)
    _check("RegOpenKeyExW", status, server)
    try:
        return {name: _query(key, name, server) for name in names}
    finally:
        _close(key.value)


def _query(key, name, server):
    query = advapi32("RegQueryValueExW")
    kind, size = ctypes.c_uint32(), ctypes.c_uint32(64)
    for _attempt in range(3):  # the value may grow between the calls: ERROR_MORE_DATA gives the new size
        data = ctypes.create_string_buffer(size.value)
        status = query(key, wide(name), None, ctypes.byref(kind), data, ctypes.byref(size))
        if status != ERROR_MORE_DATA:
            break
    if status == ERROR_FILE_NOT_FOUND:
        return None
    _check("RegQueryValueExW", status, server)
    raw = data.raw[:size.value]
    if kind.value == REG_DWORD and len(raw) == 4:
        return int.from_bytes(raw, "little")
    if kind.value in (REG_SZ, REG_EXPAND_SZ):
        return decode_wide(raw)
    return raw  # another type: the caller treats what it does not expect as unknown


def _close(key):
    advapi32("RegCloseKey")(key)
