"""The emulated DLLs are as strict as real ones about how they are loaded and declared."""

from __future__ import annotations

import ctypes
import ctypes.wintypes
import threading
from ctypes import POINTER, byref, c_int32, c_uint32, c_void_p

import pytest
import rds_emulator


def test_unknown_dll_fails_to_load_like_windows(emulator):
    with pytest.raises(OSError, match="Could not find module 'nosuch'"):
        ctypes.WinDLL("nosuch", use_last_error=True)


def test_dll_names_are_case_insensitive_and_may_carry_a_path(emulator):
    assert ctypes.WinDLL(r"C:\Windows\System32\WTSAPI32.DLL").WTSCloseServer is not None


def test_missing_export_is_an_attribute_error(emulator):
    with pytest.raises(AttributeError, match="function 'WTSNoSuchThing' not found"):
        ctypes.WinDLL("wtsapi32").WTSNoSuchThing


def test_hidden_export_behaves_as_missing(emulator):
    emulator.state["hidden_exports"].append("WTSEnumerateSessionsExW")
    wts = ctypes.WinDLL("wtsapi32", use_last_error=True)
    assert not hasattr(wts, "WTSEnumerateSessionsExW")
    assert hasattr(wts, "WTSEnumerateSessionsW")


def test_calling_before_argtypes_and_restype_are_set_is_an_error(emulator):
    with pytest.raises(rds_emulator.PrototypeError, match="argtypes not set.*restype not set"):
        ctypes.WinDLL("wtsapi32").WTSOpenServerW(None)
    emulator.clear_problems()


@pytest.mark.parametrize("wrong", [ctypes.c_ulong, ctypes.wintypes.DWORD, ctypes.c_long, ctypes.c_int64])
def test_eight_byte_dword_is_rejected_naming_function_and_parameter(emulator, wrong):
    query = ctypes.WinDLL("wtsapi32", use_last_error=True).WTSQuerySessionInformationW
    query.argtypes = [c_void_p, wrong, c_uint32, POINTER(c_void_p), POINTER(c_uint32)]
    query.restype = c_int32
    with pytest.raises(rds_emulator.PrototypeError,
                       match=r"WTSQuerySessionInformationW: parameter SessionId: DWORD needs a 4-byte integer"):
        query(None, 1, 5, None, None)
    assert any("SessionId" in error for error in emulator.clear_problems())


@pytest.mark.parametrize("wrong", [ctypes.c_wchar_p, POINTER(ctypes.c_wchar)])
def test_wchar_types_are_rejected_for_wide_strings(emulator, wrong):
    open_server = ctypes.WinDLL("wtsapi32", use_last_error=True).WTSOpenServerW
    open_server.argtypes = [wrong]
    open_server.restype = c_void_p
    with pytest.raises(rds_emulator.PrototypeError, match="pServerName: .*4 bytes per character on Linux"):
        open_server("RDSH01")
    emulator.clear_problems()


def test_pointer_to_an_eight_byte_integer_is_rejected_for_a_dword_out_parameter(emulator):
    enumerate_sessions = ctypes.WinDLL("wtsapi32").WTSEnumerateSessionsW
    enumerate_sessions.argtypes = [c_void_p, c_uint32, c_uint32, POINTER(c_void_p), POINTER(ctypes.c_ulong)]
    enumerate_sessions.restype = c_int32
    with pytest.raises(rds_emulator.PrototypeError, match="parameter pCount: DWORD\\* points to a 4-byte DWORD"):
        enumerate_sessions(None, 0, 1, None, None)
    emulator.clear_problems()


def test_structure_with_a_linux_sized_field_is_rejected(emulator):
    class WTS_SESSION_INFO_1W(ctypes.Structure):
        _fields_ = [("ExecEnvId", ctypes.c_ulong), ("State", c_int32), ("SessionId", c_uint32),
                    ("pSessionName", c_void_p), ("pHostName", c_void_p), ("pUserName", c_void_p),
                    ("pDomainName", c_void_p), ("pFarmName", c_void_p)]

    enumerate_sessions = ctypes.WinDLL("wtsapi32").WTSEnumerateSessionsExW
    enumerate_sessions.argtypes = [c_void_p, POINTER(c_uint32), c_uint32,
                                   POINTER(POINTER(WTS_SESSION_INFO_1W)), POINTER(c_uint32)]
    enumerate_sessions.restype = c_int32
    with pytest.raises(rds_emulator.PrototypeError,
                       match="WTS_SESSION_INFO_1W.ExecEnvId is at offset 0 size 8, Windows x64 has offset 0 size 4"):
        enumerate_sessions(None, None, 0, None, None)
    emulator.clear_problems()


def test_handle_return_must_be_declared_pointer_sized(emulator):
    open_server = ctypes.WinDLL("wtsapi32").WTSOpenServerW
    open_server.argtypes = [c_void_p]
    open_server.restype = c_int32
    with pytest.raises(rds_emulator.PrototypeError, match="restype: returns a HANDLE"):
        open_server(None)
    emulator.clear_problems()


def test_arguments_arrive_through_real_ctypes_marshalling(win):
    with pytest.raises(ctypes.ArgumentError):
        win.wtsapi32.WTSTerminateProcess(None, "not a number", 0)


def test_exception_inside_an_emulated_function_reaches_the_caller(emulator, win):
    emulator.state["hidden_exports"].append("WTSCloseServer")
    with pytest.raises(AttributeError, match="WTSCloseServer"):
        win.wtsapi32.WTSCloseServer(None)


def test_errcheck_runs_on_the_result(win):
    calls = []
    win.wtsapi32.WTSTerminateProcess.errcheck = lambda result, func, args: calls.append((result, args)) or "checked"
    assert win.wtsapi32.WTSTerminateProcess(None, 999999, 1) == "checked"
    assert calls == [(0, (None, 999999, 1))]


def test_last_error_is_per_thread(win):
    results = {}

    def fail_with_invalid_parameter():
        win.wtsapi32.WTSTerminateProcess(None, 999999, 1)
        results["thread"] = ctypes.get_last_error()

    ctypes.set_last_error(0)
    thread = threading.Thread(target=fail_with_invalid_parameter)
    thread.start()
    thread.join()
    assert results["thread"] == 87
    assert ctypes.get_last_error() == 0


def test_last_error_is_only_copied_for_use_last_error_dlls(emulator):
    terminate = ctypes.WinDLL("wtsapi32").WTSTerminateProcess  # use_last_error=False
    terminate.argtypes = [c_void_p, c_uint32, c_uint32]
    terminate.restype = c_int32
    ctypes.set_last_error(0)
    assert terminate(None, 999999, 1) == 0
    assert ctypes.get_last_error() == 0
    assert ctypes.GetLastError() == 87


@pytest.mark.parametrize("code, text", [
    (0, "The operation completed successfully."), (5, "Access is denied."), (6, "The handle is invalid."),
    (87, "The parameter is incorrect."), (122, "The data area passed to a system call is too small."),
    (1722, "The RPC server is unavailable."), (7022, "The specified session cannot be found."),
    (6118, "The list of servers for this workgroup is not currently available"), (424242, "<no description>"),
])
def test_format_error_gives_the_windows_texts(emulator, code, text):
    assert ctypes.FormatError(code) == text


def test_uninstall_restores_ctypes():
    names = ["WinDLL", "windll", "get_last_error", "set_last_error", "FormatError", "WinError", "WINFUNCTYPE"]
    before = {name: getattr(ctypes, name, None) for name in names}
    rds_emulator.install(rds_emulator.sample_state())
    assert all(getattr(ctypes, name) is not before[name] for name in names if name != "WINFUNCTYPE")
    rds_emulator.uninstall()
    assert {name: getattr(ctypes, name, None) for name in names} == before


def test_dll_objects_kept_across_installs_reach_the_current_emulator(win):
    rds_emulator.install(rds_emulator.sample_state())  # a later test's fresh farm
    count = c_uint32()
    buffer = c_void_p()
    assert win.wtsapi32.WTSEnumerateSessionsW(None, 0, 1, byref(buffer), byref(count))
    win.wtsapi32.WTSFreeMemory(buffer)
    assert rds_emulator.installed().calls["WTSEnumerateSessionsW"] == 1
