"""Token privileges: OpenProcessToken, LookupPrivilegeValueW, AdjustTokenPrivileges and CloseHandle, called raw."""

from __future__ import annotations

import ctypes
from ctypes import byref, c_uint32, c_void_p

import pytest

from rds_emulator.advapi32 import LUID, TOKEN_PRIVILEGES

CURRENT_PROCESS = c_void_p(-1)
TOKEN_ADJUST_PRIVILEGES, TOKEN_QUERY = 0x20, 0x8
SE_PRIVILEGE_ENABLED = 0x2


@pytest.fixture
def token_api(emulator):
    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    for function, restype, argtypes in (
            (advapi32.OpenProcessToken, c_uint32, [c_void_p, c_uint32, c_void_p]),
            (advapi32.LookupPrivilegeValueW, c_uint32, [c_void_p, c_void_p, c_void_p]),
            (advapi32.AdjustTokenPrivileges, c_uint32, [c_void_p, c_uint32, c_void_p, c_uint32, c_void_p, c_void_p]),
            (kernel32.CloseHandle, c_uint32, [c_void_p])):
        function.restype, function.argtypes = restype, argtypes
    return advapi32, kernel32


def wide(text):
    data = text.encode("utf-16-le") + b"\0\0"
    return ctypes.create_string_buffer(data, len(data))


def enable(token_api, name, access=TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY):
    """(AdjustTokenPrivileges' result, its last error); the token is always closed."""
    advapi32, kernel32 = token_api
    token = c_void_p()
    assert advapi32.OpenProcessToken(CURRENT_PROCESS, access, byref(token))
    try:
        luid = LUID()
        assert advapi32.LookupPrivilegeValueW(None, wide(name), byref(luid))
        state = TOKEN_PRIVILEGES(PrivilegeCount=1)
        state.Privileges[0].Luid = luid
        state.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED
        ok = advapi32.AdjustTokenPrivileges(token, 0, byref(state), 0, None, None)
        return ok, ctypes.get_last_error()
    finally:
        assert kernel32.CloseHandle(token)


def test_a_held_privilege_is_enabled(emulator, token_api):
    assert enable(token_api, "SeShutdownPrivilege") == (1, 0)
    assert "SeShutdownPrivilege" in emulator.state["enabled_privileges"]


def test_a_privilege_the_account_lacks_succeeds_with_not_all_assigned_as_on_windows(emulator, token_api):
    emulator.state["held_privileges"] = []
    assert enable(token_api, "SeShutdownPrivilege") == (1, 1300)
    assert "SeShutdownPrivilege" not in emulator.state.get("enabled_privileges", [])


def test_an_unknown_privilege_name_is_1313(token_api):
    advapi32, _kernel32 = token_api
    assert not advapi32.LookupPrivilegeValueW(None, wide("SeNoSuchPrivilege"), byref(LUID()))
    assert ctypes.get_last_error() == 1313


def test_adjusting_needs_a_token_opened_for_it(token_api):
    advapi32, kernel32 = token_api
    token = c_void_p()
    assert advapi32.OpenProcessToken(CURRENT_PROCESS, TOKEN_QUERY, byref(token))
    state = TOKEN_PRIVILEGES(PrivilegeCount=1)
    assert not advapi32.AdjustTokenPrivileges(token, 0, byref(state), 0, None, None)
    assert ctypes.get_last_error() == 5
    assert kernel32.CloseHandle(token)


def test_a_token_left_open_is_a_leak(emulator, token_api):
    advapi32, kernel32 = token_api
    token = c_void_p()
    assert advapi32.OpenProcessToken(CURRENT_PROCESS, TOKEN_QUERY, byref(token))
    assert any("token" in leak for leak in emulator.leaks())
    assert kernel32.CloseHandle(token)
    assert not emulator.leaks()
