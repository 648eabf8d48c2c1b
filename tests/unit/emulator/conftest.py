"""Raw ctypes access to the emulated DLLs, declared the way docs/architecture.md ("The Windows boundary") requires
(fixed-width types)."""

from __future__ import annotations

import ctypes
from ctypes import POINTER, byref, c_int32, c_uint32, c_void_p

import pytest

BOOL = c_int32
PDWORD = POINTER(c_uint32)
PPVOID = POINTER(c_void_p)

PROTOTYPES = {
    "wtsapi32": {
        "WTSOpenServerW": (c_void_p, [c_void_p]),
        "WTSOpenServerExW": (c_void_p, [c_void_p]),
        "WTSCloseServer": (None, [c_void_p]),
        "WTSEnumerateSessionsW": (BOOL, [c_void_p, c_uint32, c_uint32, PPVOID, PDWORD]),
        "WTSEnumerateSessionsExW": (BOOL, [c_void_p, PDWORD, c_uint32, PPVOID, PDWORD]),
        "WTSQuerySessionInformationW": (BOOL, [c_void_p, c_uint32, c_uint32, PPVOID, PDWORD]),
        "WTSFreeMemory": (None, [c_void_p]),
        "WTSFreeMemoryExW": (BOOL, [c_uint32, c_void_p, c_uint32]),
        "WTSEnumerateProcessesW": (BOOL, [c_void_p, c_uint32, c_uint32, PPVOID, PDWORD]),
        "WTSEnumerateProcessesExW": (BOOL, [c_void_p, PDWORD, c_uint32, PPVOID, PDWORD]),
        "WTSTerminateProcess": (BOOL, [c_void_p, c_uint32, c_uint32]),
        "WTSDisconnectSession": (BOOL, [c_void_p, c_uint32, BOOL]),
        "WTSLogoffSession": (BOOL, [c_void_p, c_uint32, BOOL]),
        "WTSSendMessageW": (BOOL, [c_void_p, c_uint32, c_void_p, c_uint32, c_void_p, c_uint32, c_uint32, c_uint32,
                                   PDWORD, BOOL]),
        "WTSShutdownSystem": (BOOL, [c_void_p, c_uint32]),
        "WTSWaitSystemEvent": (BOOL, [c_void_p, c_uint32, PDWORD]),
        "WTSVirtualChannelOpen": (c_void_p, [c_void_p, c_uint32, ctypes.c_char_p]),
        "WTSVirtualChannelOpenEx": (c_void_p, [c_uint32, ctypes.c_char_p, c_uint32]),
        "WTSVirtualChannelWrite": (BOOL, [c_void_p, c_void_p, c_uint32, PDWORD]),
        "WTSVirtualChannelRead": (BOOL, [c_void_p, c_uint32, c_void_p, c_uint32, PDWORD]),
        "WTSVirtualChannelQuery": (BOOL, [c_void_p, c_uint32, PPVOID, PDWORD]),
        "WTSVirtualChannelPurgeInput": (BOOL, [c_void_p]),
        "WTSVirtualChannelClose": (BOOL, [c_void_p]),
    },
    "netapi32": {
        "NetServerEnum": (c_uint32, [c_void_p, c_uint32, PPVOID, c_uint32, PDWORD, PDWORD, c_uint32, c_void_p,
                                     PDWORD]),
        "NetServerGetInfo": (c_uint32, [c_void_p, c_uint32, PPVOID]),
        "NetApiBufferFree": (c_uint32, [c_void_p]),
    },
    "advapi32": {
        "LookupAccountSidW": (BOOL, [c_void_p, c_void_p, c_void_p, PDWORD, c_void_p, PDWORD, PDWORD]),
        "ConvertSidToStringSidW": (BOOL, [c_void_p, PPVOID]),
        "ConvertStringSidToSidW": (BOOL, [c_void_p, PPVOID]),
    },
    "iphlpapi": {
        "GetUnicastIpAddressTable": (c_uint32, [ctypes.c_uint16, PPVOID]),
        "FreeMibTable": (None, [c_void_p]),
    },
    "kernel32": {
        "LocalFree": (c_void_p, [c_void_p]),
        "GetCurrentProcessId": (c_uint32, []),
        "CreateToolhelp32Snapshot": (c_void_p, [c_uint32, c_uint32]),
        "Process32FirstW": (BOOL, [c_void_p, c_void_p]),
        "Process32NextW": (BOOL, [c_void_p, c_void_p]),
        "CloseHandle": (BOOL, [c_void_p]),
    },
}


class Win:
    """Declared DLLs (win.wtsapi32.WTSOpenServerW ...) and small helpers for raw calls."""

    def __init__(self):
        for dll_name, functions in PROTOTYPES.items():
            dll = ctypes.WinDLL(dll_name, use_last_error=True)
            for name, (restype, argtypes) in functions.items():
                function = getattr(dll, name)
                function.restype = restype
                function.argtypes = argtypes
            setattr(self, dll_name, dll)

    @staticmethod
    def wide(text):
        """A NUL-terminated UTF-16LE buffer, or None."""
        if text is None:
            return None
        data = text.encode("utf-16-le", "surrogatepass") + b"\0\0"
        return ctypes.create_string_buffer(data, len(data))

    @staticmethod
    def read_wide(address):
        if not address:
            return None
        units = bytearray()
        while ctypes.string_at(address + len(units), 2) != b"\0\0":
            units += ctypes.string_at(address + len(units), 2)
        return units.decode("utf-16-le", "surrogatepass")

    def open_server(self, name):
        return self.wtsapi32.WTSOpenServerW(self.wide(name))

    def query(self, handle, session_id, info_class):
        """(ok, last error, bytes) of WTSQuerySessionInformationW; the buffer is freed here."""
        buffer, size = c_void_p(), c_uint32()
        ok = self.wtsapi32.WTSQuerySessionInformationW(handle, session_id, info_class, byref(buffer), byref(size))
        if not ok:
            return False, ctypes.get_last_error(), None
        data = ctypes.string_at(buffer.value, size.value)
        self.wtsapi32.WTSFreeMemory(buffer)
        return True, 0, data


@pytest.fixture
def win(emulator):
    return Win()


@pytest.fixture
def win_file(emulator_file):
    return Win()
