"""Windows x64 structure layouts, built from fixed-width ctypes types only.

With c_uint32/c_int32/c_uint16/c_uint8/c_int64/c_void_p a structure has the same size and offsets on
Linux x86-64 as on Windows x64 (tests/unit/emulator/test_structs.py checks them against MinGW-w64).
"""

from __future__ import annotations

import ctypes
from ctypes import Structure, Union, c_int32, c_int64, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p

WCHAR = c_uint16
MAX_PATH = 260
USERNAME_LENGTH = 20
CLIENTNAME_LENGTH = 20
CLIENTADDRESS_LENGTH = 30
WINSTATIONNAME_LENGTH = 32
DOMAIN_LENGTH = 17


class WTS_SESSION_INFOW(Structure):
    _fields_ = [("SessionId", c_uint32), ("pWinStationName", c_void_p), ("State", c_int32)]


class WTS_SESSION_INFO_1W(Structure):
    _fields_ = [
        ("ExecEnvId", c_uint32), ("State", c_int32), ("SessionId", c_uint32),
        ("pSessionName", c_void_p), ("pHostName", c_void_p), ("pUserName", c_void_p),
        ("pDomainName", c_void_p), ("pFarmName", c_void_p),
    ]


class WTS_PROCESS_INFOW(Structure):
    _fields_ = [("SessionId", c_uint32), ("ProcessId", c_uint32), ("pProcessName", c_void_p), ("pUserSid", c_void_p)]


class WTS_PROCESS_INFO_EXW(Structure):
    _fields_ = [
        ("SessionId", c_uint32), ("ProcessId", c_uint32), ("pProcessName", c_void_p), ("pUserSid", c_void_p),
        ("NumberOfThreads", c_uint32), ("HandleCount", c_uint32), ("PagefileUsage", c_uint32),
        ("PeakPagefileUsage", c_uint32), ("WorkingSetSize", c_uint32), ("PeakWorkingSetSize", c_uint32),
        ("UserTime", c_int64), ("KernelTime", c_int64),
    ]


class WTS_CLIENT_ADDRESS(Structure):
    _fields_ = [("AddressFamily", c_uint32), ("Address", c_uint8 * 20)]


class WTS_SESSION_ADDRESS(Structure):
    _fields_ = [("AddressFamily", c_uint32), ("Address", c_uint8 * 20)]


class WTS_CLIENT_DISPLAY(Structure):
    _fields_ = [("HorizontalResolution", c_uint32), ("VerticalResolution", c_uint32), ("ColorDepth", c_uint32)]


class WTSCLIENTW(Structure):
    _fields_ = [
        ("ClientName", WCHAR * (CLIENTNAME_LENGTH + 1)),
        ("Domain", WCHAR * (DOMAIN_LENGTH + 1)),
        ("UserName", WCHAR * (USERNAME_LENGTH + 1)),
        ("WorkDirectory", WCHAR * (MAX_PATH + 1)),
        ("InitialProgram", WCHAR * (MAX_PATH + 1)),
        ("EncryptionLevel", c_uint8),
        ("ClientAddressFamily", c_uint32),
        ("ClientAddress", c_uint16 * (CLIENTADDRESS_LENGTH + 1)),
        ("HRes", c_uint16), ("VRes", c_uint16), ("ColorDepth", c_uint16),
        ("ClientDirectory", WCHAR * (MAX_PATH + 1)),
        ("ClientBuildNumber", c_uint32), ("ClientHardwareId", c_uint32),
        ("ClientProductId", c_uint16), ("OutBufCountHost", c_uint16), ("OutBufCountClient", c_uint16),
        ("OutBufLength", c_uint16),
        ("DeviceId", WCHAR * (MAX_PATH + 1)),
    ]


class WTSINFOW(Structure):
    _fields_ = [
        ("State", c_int32), ("SessionId", c_uint32),
        ("IncomingBytes", c_uint32), ("OutgoingBytes", c_uint32),
        ("IncomingFrames", c_uint32), ("OutgoingFrames", c_uint32),
        ("IncomingCompressedBytes", c_uint32), ("OutgoingCompressedBytes", c_uint32),
        ("WinStationName", WCHAR * WINSTATIONNAME_LENGTH),
        ("Domain", WCHAR * DOMAIN_LENGTH),
        ("UserName", WCHAR * (USERNAME_LENGTH + 1)),
        ("ConnectTime", c_int64), ("DisconnectTime", c_int64), ("LastInputTime", c_int64),
        ("LogonTime", c_int64), ("CurrentTime", c_int64),
    ]


class WTSINFOEX_LEVEL1_W(Structure):
    _fields_ = [
        ("SessionId", c_uint32), ("SessionState", c_int32), ("SessionFlags", c_int32),
        ("WinStationName", WCHAR * (WINSTATIONNAME_LENGTH + 1)),
        ("UserName", WCHAR * (USERNAME_LENGTH + 1)),
        ("DomainName", WCHAR * (DOMAIN_LENGTH + 1)),
        ("LogonTime", c_int64), ("ConnectTime", c_int64), ("DisconnectTime", c_int64),
        ("LastInputTime", c_int64), ("CurrentTime", c_int64),
        ("IncomingBytes", c_uint32), ("OutgoingBytes", c_uint32),
        ("IncomingFrames", c_uint32), ("OutgoingFrames", c_uint32),
        ("IncomingCompressedBytes", c_uint32), ("OutgoingCompressedBytes", c_uint32),
    ]


class WTSINFOEX_LEVEL_W(Union):
    _fields_ = [("WTSInfoExLevel1", WTSINFOEX_LEVEL1_W)]


class WTSINFOEXW(Structure):
    _fields_ = [("Level", c_uint32), ("Data", WTSINFOEX_LEVEL_W)]


class WTSCONFIGINFOW(Structure):
    _fields_ = [
        ("version", c_uint32), ("fConnectClientDrivesAtLogon", c_uint32), ("fConnectPrinterAtLogon", c_uint32),
        ("fDisablePrinterRedirection", c_uint32), ("fDisableDefaultMainClientPrinter", c_uint32),
        ("ShadowSettings", c_uint32),
        ("LogonUserName", WCHAR * (USERNAME_LENGTH + 1)),
        ("LogonDomain", WCHAR * (DOMAIN_LENGTH + 1)),
        ("WorkDirectory", WCHAR * (MAX_PATH + 1)),
        ("InitialProgram", WCHAR * (MAX_PATH + 1)),
        ("ApplicationName", WCHAR * (MAX_PATH + 1)),
    ]


class SERVER_INFO_100(Structure):
    _fields_ = [("sv100_platform_id", c_uint32), ("sv100_name", c_void_p)]


class SERVER_INFO_101(Structure):
    _fields_ = [
        ("sv101_platform_id", c_uint32), ("sv101_name", c_void_p),
        ("sv101_version_major", c_uint32), ("sv101_version_minor", c_uint32),
        ("sv101_type", c_uint32), ("sv101_comment", c_void_p),
    ]


class PROCESSENTRY32W(Structure):
    _fields_ = [
        ("dwSize", c_uint32), ("cntUsage", c_uint32), ("th32ProcessID", c_uint32),
        ("th32DefaultHeapID", c_void_p), ("th32ModuleID", c_uint32), ("cntThreads", c_uint32),
        ("th32ParentProcessID", c_uint32), ("pcPriClassBase", c_int32), ("dwFlags", c_uint32),
        ("szExeFile", WCHAR * MAX_PATH),
    ]


class SOCKADDR_IN(Structure):
    # sin_addr is an IN_ADDR, a union with a ULONG (4-byte aligned): its bytes in network order, read as one ULONG
    _fields_ = [("sin_family", c_uint16), ("sin_port", c_uint16), ("sin_addr", c_uint32), ("sin_zero", c_uint8 * 8)]


class SOCKADDR_IN6(Structure):
    _fields_ = [("sin6_family", c_uint16), ("sin6_port", c_uint16), ("sin6_flowinfo", c_uint32),
                ("sin6_addr", c_uint8 * 16), ("sin6_scope_id", c_uint32)]


class SOCKADDR_INET(Union):
    _fields_ = [("Ipv4", SOCKADDR_IN), ("Ipv6", SOCKADDR_IN6), ("si_family", c_uint16)]


class MIB_UNICASTIPADDRESS_ROW(Structure):
    _fields_ = [
        ("Address", SOCKADDR_INET), ("InterfaceLuid", c_uint64), ("InterfaceIndex", c_uint32),
        ("PrefixOrigin", c_int32), ("SuffixOrigin", c_int32), ("ValidLifetime", c_uint32),
        ("PreferredLifetime", c_uint32), ("OnLinkPrefixLength", c_uint8), ("SkipAsSource", c_uint8),
        ("DadState", c_int32), ("ScopeId", c_uint32), ("CreationTimeStamp", c_int64),
    ]


class MIB_UNICASTIPADDRESS_TABLE(Structure):
    _fields_ = [("NumEntries", c_uint32), ("Table", MIB_UNICASTIPADDRESS_ROW * 1)]


ALL = [
    WTS_SESSION_INFOW, WTS_SESSION_INFO_1W, WTS_PROCESS_INFOW, WTS_PROCESS_INFO_EXW, WTS_CLIENT_ADDRESS,
    WTS_SESSION_ADDRESS, WTS_CLIENT_DISPLAY, WTSCLIENTW, WTSINFOW, WTSINFOEX_LEVEL1_W, WTSINFOEXW,
    WTSCONFIGINFOW, SERVER_INFO_100, SERVER_INFO_101, PROCESSENTRY32W, SOCKADDR_IN, SOCKADDR_IN6, SOCKADDR_INET,
    MIB_UNICASTIPADDRESS_ROW, MIB_UNICASTIPADDRESS_TABLE,
]


def set_field(struct, field: str, value) -> None:
    """Set one field: str into a fixed WCHAR array (truncated and NUL-terminated: the arrays hold what their
    declaration says, e.g. WTSINFOEX_LEVEL1_W's "WCHAR UserName[USERNAME_LENGTH + 1]"; the SDK is silent on a
    longer name, and a fixed array can only cut it),
    bytes into a byte/USHORT array (raw), anything else by plain assignment."""
    if isinstance(value, str):
        array = getattr(struct, field)
        units = value.encode("utf-16-le", "surrogatepass")[: 2 * (len(array) - 1)]
        ctypes.memmove(ctypes.addressof(array), units + b"\0\0", len(units) + 2)
    elif isinstance(value, bytes):
        array = getattr(struct, field)
        ctypes.memmove(ctypes.addressof(array), value, min(len(value), ctypes.sizeof(array)))
    else:
        setattr(struct, field, value)


def fill(struct, values: dict):
    for field, value in values.items():
        set_field(struct, field, value)
    return struct
