# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The Remote Desktop Services API (wtsapi32): its structures, named and laid out as in the Windows SDK's
# wtsapi32.h, and every call the collection makes, returning plain Python values. Every buffer the API
# allocates is freed exactly once with the function Microsoft names for it, on success and on error.

import ctypes
import functools
import ipaddress
import threading
from contextlib import contextmanager
from ctypes import POINTER, byref, c_char_p, c_int32, c_int64, c_uint8, c_uint16, c_uint32, c_void_p

from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import (
    COMPUTER_NAME_PHYSICAL_DNS_FULLY_QUALIFIED,
    COMPUTER_NAME_PHYSICAL_DNS_HOSTNAME,
    COMPUTER_NAME_PHYSICAL_NETBIOS,
    ERROR_PROC_NOT_FOUND,
    WinApiError,
    api,
    computer_name,
    decode_wide,
    enable_privilege,
    filetime_to_datetime,
    flag_mask,
    last_error,
    lookup_account,
    read_wide,
    wide,
)

ERROR_FILE_NOT_FOUND = 2
ERROR_INVALID_DATA = 13
ERROR_NOT_SUPPORTED = 50
ERROR_IO_INCOMPLETE = 996
RPC_S_PROCNUM_OUT_OF_RANGE = 1745
ERROR_CTX_WINSTATION_NOT_FOUND = 7022
ERROR_TIMEOUT = 1460

# An Ex function that this Windows (or the remote server) does not have: use the older one instead.
_EX_UNAVAILABLE = frozenset((ERROR_PROC_NOT_FOUND, ERROR_NOT_SUPPORTED, RPC_S_PROCNUM_OUT_OF_RANGE))
# The session (or the process's session) ended between its enumeration and this call.
SESSION_GONE = frozenset((ERROR_FILE_NOT_FOUND, ERROR_CTX_WINSTATION_NOT_FOUND))

# Server names that mean the machine the code runs on (besides its own computer name).
LOCAL_SERVER_NAMES = ("", ".", "localhost")

WTS_CURRENT_SERVER_HANDLE = None
WTS_CURRENT_SESSION = 0xFFFFFFFF
WTS_ANY_SESSION = 0xFFFFFFFE

WTS_WSD_LOGOFF = 0x1
WTS_WSD_SHUTDOWN = 0x2
WTS_WSD_REBOOT = 0x4
WTS_WSD_POWEROFF = 0x8
WTS_WSD_FASTREBOOT = 0x10

WTS_EVENT_ALL = 0x7FFFFFFF
WTS_EVENT_FLUSH = 0x80000000
FLUSH_GRACE_SECONDS = 5.0  # how long a wait released by WTS_EVENT_FLUSH may take to return
EVENT_FLAGS = {
    "create": 0x1,
    "delete": 0x2,
    "rename": 0x4,
    "connect": 0x8,
    "disconnect": 0x10,
    "logon": 0x20,
    "logoff": 0x40,
    "state_change": 0x80,
    "license": 0x100,
}
EVENT_MASKS = dict(EVENT_FLAGS, all=WTS_EVENT_ALL)

# WTSSendMessageW's style is MessageBox's uType (winuser.h): the buttons (MB_OK ... MB_CANCELTRYCONTINUE, with
# how many there are), the icon (MB_ICONERROR ... MB_ICONINFORMATION) and the default button (MB_DEFBUTTON1..3).
MESSAGE_BUTTONS = {"ok": (0x0, 1), "ok_cancel": (0x1, 2), "abort_retry_ignore": (0x2, 3), "yes_no_cancel": (0x3, 3),
                   "yes_no": (0x4, 2), "retry_cancel": (0x5, 2), "cancel_try_continue": (0x6, 3)}
MESSAGE_ICONS = {"none": 0x0, "error": 0x10, "question": 0x20, "warning": 0x30, "information": 0x40}
MB_DEFBUTTON_SHIFT = 8  # MB_DEFBUTTON2 is 0x100, MB_DEFBUTTON3 0x200

# WTS_CONNECTSTATE_CLASS, in enum order.
STATE_NAMES = ("active", "connected", "connect_query", "shadow", "disconnected", "idle", "listen", "reset",
               "down", "init")
PROTOCOL_NAMES = {0: "console", 1: "ica", 2: "rdp"}
RESPONSE_NAMES = {1: "ok", 2: "cancel", 3: "abort", 4: "retry", 5: "ignore", 6: "yes", 7: "no", 10: "try_again",
                  11: "continue", 32000: "timeout", 32001: "async"}
ADDRESS_FAMILY_NAMES = {0: "unspec", 2: "inet", 6: "ipx", 17: "netbios", 23: "inet6"}
AF_INET = 2
AF_INET6 = 23
# WTS_CLIENT_DISPLAY.ColorDepth code -> bits per pixel.
COLOR_DEPTH_BITS = {1: 4, 2: 8, 4: 16, 8: 24, 16: 15, 24: 24, 32: 32}
# WTSINFOEX_LEVEL1_W.SessionFlags -> locked (WTS_SESSIONSTATE_UNKNOWN gives None). Raw: Windows 7 and
# Windows Server 2008 R2 report the two values the other way round.
WTS_SESSIONSTATE_LOCK = 0
WTS_SESSIONSTATE_UNLOCK = 1
_LOCKED = {WTS_SESSIONSTATE_LOCK: True, WTS_SESSIONSTATE_UNLOCK: False}

# WTS_INFO_CLASS names, in enum order.
WTS_INFO_CLASS = {name: number for number, name in enumerate((
    "WTSInitialProgram", "WTSApplicationName", "WTSWorkingDirectory", "WTSOEMId", "WTSSessionId",
    "WTSUserName", "WTSWinStationName", "WTSDomainName", "WTSConnectState", "WTSClientBuildNumber",
    "WTSClientName", "WTSClientDirectory", "WTSClientProductId", "WTSClientHardwareId", "WTSClientAddress",
    "WTSClientDisplay", "WTSClientProtocolType", "WTSIdleTime", "WTSLogonTime", "WTSIncomingBytes",
    "WTSOutgoingBytes", "WTSIncomingFrames", "WTSOutgoingFrames", "WTSClientInfo", "WTSSessionInfo",
    "WTSSessionInfoEx", "WTSConfigInfo", "WTSValidationInfo", "WTSSessionAddressV4", "WTSIsRemoteSession",
    "WTSSessionActivityId", "WTSCapabilityCheck",
))}

# WTS_TYPE_CLASS, for WTSFreeMemoryExW.
WTS_TYPE_PROCESS_INFO_LEVEL0 = 0
WTS_TYPE_PROCESS_INFO_LEVEL1 = 1
WTS_TYPE_SESSION_INFO_LEVEL1 = 2
WTSINFOEX_LEVEL_1 = 1

WTS_VIRTUAL_CLIENT_DATA = 0
CHANNEL_NAME_LEN = 7
CHANNEL_CHUNK_LENGTH = 1600
CHANNEL_PDU_LENGTH = CHANNEL_CHUNK_LENGTH + 8  # a chunk after its CHANNEL_PDU_HEADER
WTS_CHANNEL_OPTION_DYNAMIC = 0x1
CHANNEL_PRIORITIES = {"low": 0x0, "medium": 0x2, "high": 0x4, "real": 0x6}

USERNAME_LENGTH = 20
CLIENTNAME_LENGTH = 20
CLIENTADDRESS_LENGTH = 30
WINSTATIONNAME_LENGTH = 32
DOMAIN_LENGTH = 17
MAX_PATH = 260


class WTS_SESSION_INFOW(ctypes.Structure):
    _fields_ = [
        ("SessionId", c_uint32),
        ("pWinStationName", c_void_p),
        ("State", c_int32),
    ]


class WTS_SESSION_INFO_1W(ctypes.Structure):
    _fields_ = [
        ("ExecEnvId", c_uint32),
        ("State", c_int32),
        ("SessionId", c_uint32),
        ("pSessionName", c_void_p),
        ("pHostName", c_void_p),
        ("pUserName", c_void_p),
        ("pDomainName", c_void_p),
        ("pFarmName", c_void_p),
    ]


class WTS_PROCESS_INFOW(ctypes.Structure):
    _fields_ = [
        ("SessionId", c_uint32),
        ("ProcessId", c_uint32),
        ("pProcessName", c_void_p),
        ("pUserSid", c_void_p),
    ]


class WTS_PROCESS_INFO_EXW(ctypes.Structure):
    _fields_ = [
        ("SessionId", c_uint32),
        ("ProcessId", c_uint32),
        ("pProcessName", c_void_p),
        ("pUserSid", c_void_p),
        ("NumberOfThreads", c_uint32),
        ("HandleCount", c_uint32),
        ("PagefileUsage", c_uint32),
        ("PeakPagefileUsage", c_uint32),
        ("WorkingSetSize", c_uint32),
        ("PeakWorkingSetSize", c_uint32),
        ("UserTime", c_int64),
        ("KernelTime", c_int64),
    ]


class WTS_CLIENT_ADDRESS(ctypes.Structure):
    _fields_ = [
        ("AddressFamily", c_uint32),
        ("Address", c_uint8 * 20),
    ]


class WTS_SESSION_ADDRESS(ctypes.Structure):
    _fields_ = [
        ("AddressFamily", c_uint32),
        ("Address", c_uint8 * 20),
    ]


class WTS_CLIENT_DISPLAY(ctypes.Structure):
    _fields_ = [
        ("HorizontalResolution", c_uint32),
        ("VerticalResolution", c_uint32),
        ("ColorDepth", c_uint32),
    ]


class WTSCLIENTW(ctypes.Structure):
    _fields_ = [
        ("ClientName", c_uint16 * (CLIENTNAME_LENGTH + 1)),
        ("Domain", c_uint16 * (DOMAIN_LENGTH + 1)),
        ("UserName", c_uint16 * (USERNAME_LENGTH + 1)),
        ("WorkDirectory", c_uint16 * (MAX_PATH + 1)),
        ("InitialProgram", c_uint16 * (MAX_PATH + 1)),
        ("EncryptionLevel", c_uint8),
        ("ClientAddressFamily", c_uint32),
        ("ClientAddress", c_uint16 * (CLIENTADDRESS_LENGTH + 1)),
        ("HRes", c_uint16),
        ("VRes", c_uint16),
        ("ColorDepth", c_uint16),
        ("ClientDirectory", c_uint16 * (MAX_PATH + 1)),
        ("ClientBuildNumber", c_uint32),
        ("ClientHardwareId", c_uint32),
        ("ClientProductId", c_uint16),
        ("OutBufCountHost", c_uint16),
        ("OutBufCountClient", c_uint16),
        ("OutBufLength", c_uint16),
        ("DeviceId", c_uint16 * (MAX_PATH + 1)),
    ]


class WTSINFOW(ctypes.Structure):
    _fields_ = [
        ("State", c_int32),
        ("SessionId", c_uint32),
        ("IncomingBytes", c_uint32),
        ("OutgoingBytes", c_uint32),
        ("IncomingFrames", c_uint32),
        ("OutgoingFrames", c_uint32),
        ("IncomingCompressedBytes", c_uint32),
        ("OutgoingCompressedBytes", c_uint32),
        ("WinStationName", c_uint16 * WINSTATIONNAME_LENGTH),
        ("Domain", c_uint16 * DOMAIN_LENGTH),
        ("UserName", c_uint16 * (USERNAME_LENGTH + 1)),
        ("ConnectTime", c_int64),
        ("DisconnectTime", c_int64),
        ("LastInputTime", c_int64),
        ("LogonTime", c_int64),
        ("CurrentTime", c_int64),
    ]


class WTSINFOEX_LEVEL1_W(ctypes.Structure):
    _fields_ = [
        ("SessionId", c_uint32),
        ("SessionState", c_int32),
        ("SessionFlags", c_int32),
        ("WinStationName", c_uint16 * (WINSTATIONNAME_LENGTH + 1)),
        ("UserName", c_uint16 * (USERNAME_LENGTH + 1)),
        ("DomainName", c_uint16 * (DOMAIN_LENGTH + 1)),
        ("LogonTime", c_int64),
        ("ConnectTime", c_int64),
        ("DisconnectTime", c_int64),
        ("LastInputTime", c_int64),
        ("CurrentTime", c_int64),
        ("IncomingBytes", c_uint32),
        ("OutgoingBytes", c_uint32),
        ("IncomingFrames", c_uint32),
        ("OutgoingFrames", c_uint32),
        ("IncomingCompressedBytes", c_uint32),
        ("OutgoingCompressedBytes", c_uint32),
    ]


class WTSINFOEX_LEVEL_W(ctypes.Union):
    _fields_ = [
        ("WTSInfoExLevel1", WTSINFOEX_LEVEL1_W),
    ]


class WTSINFOEXW(ctypes.Structure):
    _fields_ = [
        ("Level", c_uint32),
        ("Data", WTSINFOEX_LEVEL_W),
    ]


class WTSCONFIGINFOW(ctypes.Structure):
    _fields_ = [
        ("version", c_uint32),
        ("fConnectClientDrivesAtLogon", c_uint32),
        ("fConnectPrinterAtLogon", c_uint32),
        ("fDisablePrinterRedirection", c_uint32),
        ("fDisableDefaultMainClientPrinter", c_uint32),
        ("ShadowSettings", c_uint32),
        ("LogonUserName", c_uint16 * (USERNAME_LENGTH + 1)),
        ("LogonDomain", c_uint16 * (DOMAIN_LENGTH + 1)),
        ("WorkDirectory", c_uint16 * (MAX_PATH + 1)),
        ("InitialProgram", c_uint16 * (MAX_PATH + 1)),
        ("ApplicationName", c_uint16 * (MAX_PATH + 1)),
    ]


def _wts(name, restype, *argtypes):
    return api("wtsapi32", name, restype, *argtypes)


def _succeed(result, function):
    if not result:
        raise last_error(function)


def session_gone(error):
    """True when a WinApiError says the session no longer exists (2 or 7022): it ended meanwhile."""
    return error.code in SESSION_GONE


def is_local_server(name):
    """True only when ``name`` certainly means the machine the code runs on, so that WTS_CURRENT_SERVER_HANDLE
    (no RPC) may stand for it: None, "", ".", "localhost", a loopback address; a dotted name equal to this
    machine's fully qualified DNS name; a bare name equal to its NetBIOS or DNS host name (GetComputerNameExW).
    Anything else, and any name when the names cannot be read, is reached through WTSOpenServer (RPC), which
    also works for this machine: a reboot or logoff never lands here by mistake (``rdsh01.fabrikam.com`` is
    not ``rdsh01.contoso.com``). That includes this machine's own non-loopback IP addresses: they are not
    compared with its adapters' addresses (the resolver is no reliable list of them, and a wrong "local"
    costs more than an RPC round trip).
    """
    if name is None or name.strip().lower() in LOCAL_SERVER_NAMES:
        return True
    wanted = name.strip().lower().rstrip(".")
    address = _ip_address(wanted)
    if address is not None:
        return address.is_loopback
    try:
        netbios, host, full = (computer_name(kind).lower() for kind in _OWN_NAMES)
    except WinApiError:
        return False  # in doubt: RPC
    if "." in wanted:
        return wanted == full
    return wanted in (netbios, host)


# This machine's NetBIOS name, DNS host name and fully qualified DNS name.
_OWN_NAMES = (COMPUTER_NAME_PHYSICAL_NETBIOS, COMPUTER_NAME_PHYSICAL_DNS_HOSTNAME,
              COMPUTER_NAME_PHYSICAL_DNS_FULLY_QUALIFIED)


def _ip_address(text):
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def message_style(buttons, icon, default_button):
    """MessageBox's uType for WTSSendMessageW: ``buttons`` and ``icon`` by name (MESSAGE_BUTTONS, MESSAGE_ICONS),
    ``default_button`` the position (1-3) of the button Enter presses."""
    return MESSAGE_BUTTONS[buttons][0] | MESSAGE_ICONS[icon] | (default_button - 1) << MB_DEFBUTTON_SHIFT


def state_name(value):
    """The admin's name of a WTS_CONNECTSTATE_CLASS value (``active``, ``disconnected``, ``listen``, ...)."""
    return STATE_NAMES[value] if 0 <= value < len(STATE_NAMES) else "unknown"


@contextmanager
def open_server(name=None):
    """A server handle for ``name``, closed on leaving; errors raised inside carry the server's name.

    A name that ``is_local_server`` means the machine the code runs on: WTS_CURRENT_SERVER_HANDLE, no RPC.
    Other names are opened with WTSOpenServerExW (an RD Session Host or an RD Virtualization Host), or
    WTSOpenServerW where the Ex export is missing. Neither checks the name; an unreachable server fails
    the first call made with the handle (1722).
    """
    local = is_local_server(name)
    handle = WTS_CURRENT_SERVER_HANDLE
    if not local:
        handle = _open_remote_server(name)
    try:
        yield handle
    except WinApiError as error:
        error.server = error.server or name
        raise
    finally:
        if not local:
            _wts("WTSCloseServer", None, c_void_p)(handle)


def _open_remote_server(name):
    function = "WTSOpenServerExW"
    try:
        opener = _wts(function, c_void_p, c_void_p)
    except WinApiError as error:
        if not _ex_unavailable(error, function):
            raise
        function = "WTSOpenServerW"
        opener = _wts(function, c_void_p, c_void_p)
    handle = opener(wide(name))
    if not handle:
        raise last_error(function, server=name)
    return handle


def _free(address, type_class=None, count=0):
    """Free a buffer of the WTS API: WTSFreeMemoryExW for the Ex enumerations' type classes, else WTSFreeMemory."""
    if not address:
        return
    if type_class is None:
        _wts("WTSFreeMemory", None, c_void_p)(address)
    else:
        _succeed(_wts("WTSFreeMemoryExW", c_int32, c_int32, c_void_p, c_uint32)(type_class, address, count),
                 "WTSFreeMemoryExW")


def _returned_bytes(function, call):
    """Run ``call(byref(buffer), byref(size))``; return a copy of the bytes it allocated, freed at once."""
    buffer, size = c_void_p(), c_uint32()
    _succeed(call(byref(buffer), byref(size)), function)
    try:
        return ctypes.string_at(buffer.value, size.value) if buffer.value is not None else b""
    finally:
        _free(buffer.value)


@contextmanager
def _returned_array(function, call, entry_type, type_class=None):
    """Run ``call(byref(buffer), byref(count))``; yield its ``entry_type`` entries; free the buffer once after."""
    buffer, count = c_void_p(), c_uint32()
    _succeed(call(byref(buffer), byref(count)), function)
    try:
        yield (entry_type * count.value).from_address(buffer.value) if buffer.value is not None else ()
    finally:
        _free(buffer.value, type_class, count.value)


def _ex_unavailable(error, function):
    return error.function == function and error.code in _EX_UNAVAILABLE


def enumerate_sessions(handle):
    """Every session of the server: dicts of session_id, state, session_name, host_name, username, domain,
    farm_name (empty texts are None).

    WTSEnumerateSessionsExW level 1; where it does not exist, WTSEnumerateSessionsW, whose entries have
    no host, user, domain or farm (None).
    """
    try:
        return _enumerate_sessions_ex(handle)
    except WinApiError as error:
        if not _ex_unavailable(error, "WTSEnumerateSessionsExW"):
            raise
    enumerate_classic = _wts("WTSEnumerateSessionsW", c_int32, c_void_p, c_uint32, c_uint32, POINTER(c_void_p),
                             POINTER(c_uint32))
    with _returned_array("WTSEnumerateSessionsW", lambda buffer, count: enumerate_classic(handle, 0, 1, buffer, count),
                         WTS_SESSION_INFOW) as entries:
        return [_session(entry.SessionId, entry.State, entry.pWinStationName, None, None, None, None)
                for entry in entries]


def _enumerate_sessions_ex(handle):
    enumerate_ex = _wts("WTSEnumerateSessionsExW", c_int32, c_void_p, POINTER(c_uint32), c_uint32,
                        POINTER(c_void_p), POINTER(c_uint32))
    level = c_uint32(1)
    with _returned_array("WTSEnumerateSessionsExW",
                         lambda buffer, count: enumerate_ex(handle, byref(level), 0, buffer, count),
                         WTS_SESSION_INFO_1W, WTS_TYPE_SESSION_INFO_LEVEL1) as entries:
        return [_session(entry.SessionId, entry.State, entry.pSessionName, entry.pHostName, entry.pUserName,
                         entry.pDomainName, entry.pFarmName) for entry in entries]


def _session(session_id, state, session_name, host_name, username, domain, farm_name):
    return {"session_id": session_id, "state": state_name(state), "session_name": read_wide(session_name) or None,
            "host_name": read_wide(host_name) or None, "username": read_wide(username) or None,
            "domain": read_wide(domain) or None, "farm_name": read_wide(farm_name) or None}


def _query(handle, session_id, info_class):
    query = _wts("WTSQuerySessionInformationW", c_int32, c_void_p, c_uint32, c_int32, POINTER(c_void_p),
                 POINTER(c_uint32))
    return _returned_bytes("WTSQuerySessionInformationW",
                           lambda buffer, size: query(handle, session_id, info_class, buffer, size))


def query_session(handle, session_id, info_class):
    """One WTSQuerySessionInformationW answer as a Python value.

    ``info_class`` is a WTS_INFO_CLASS name (``"WTSClientName"``) or number. Texts come back as str (None
    when empty), numbers as int, WTSConnectState as a state name, WTSClientProtocolType as
    console/ica/rdp, WTSIsRemoteSession as bool, and the structures (WTSClientAddress, WTSClientDisplay,
    WTSClientInfo, WTSSessionInfo, WTSSessionInfoEx, WTSConfigInfo, WTSSessionAddressV4) as dicts.
    Classes Windows no longer answers (WTSIdleTime, ...) raise ValueError without a call.
    """
    number = WTS_INFO_CLASS.get(info_class, info_class)
    decode = _DECODERS.get(number)
    if decode is None:
        names = sorted(name for name, value in WTS_INFO_CLASS.items() if value in _DECODERS)
        raise ValueError("unsupported WTS_INFO_CLASS %r; supported: %s" % (info_class, ", ".join(names)))
    return decode(_query(handle, session_id, number))


def _text(data):
    return decode_wide(data) or None


def _fixed(ctype, data):
    """``data`` as the structure or number ``ctype``, after checking that Windows returned at least its size.

    sdk-api wtsapi32/nf-wtsapi32-wtsquerysessioninformationw, pBytesReturned: "receives the size, in bytes, of
    the data returned in ppBuffer". Nothing promises that size for any class, so a shorter answer is a failure
    with a clear message, never a read past the buffer.
    """
    if len(data) < ctypes.sizeof(ctype):
        raise WinApiError("WTSQuerySessionInformationW", ERROR_INVALID_DATA,
                          "Windows returned %d bytes where %s takes %d" % (len(data), ctype.__name__,
                                                                            ctypes.sizeof(ctype)))
    return ctype.from_buffer_copy(data)


def _array_text(array):
    return decode_wide(bytes(array)) or None


def _number(ctype):
    return lambda data: _fixed(ctype, data).value


def _address_family(family):
    return ADDRESS_FAMILY_NAMES.get(family, str(family))


def _network_address(structure):
    """WTS_CLIENT_ADDRESS / WTS_SESSION_ADDRESS: IPv4 at Address[2..5], IPv6 as Address[0..15]."""
    raw = bytes(structure.Address)
    address = None
    if structure.AddressFamily == AF_INET:
        address = str(ipaddress.IPv4Address(raw[2:6]))
    elif structure.AddressFamily == AF_INET6:
        address = str(ipaddress.IPv6Address(raw[:16]))
    return {"address_family": _address_family(structure.AddressFamily), "address": address}


def _display(width, height, color_depth):
    return {"width": width, "height": height, "color_depth": COLOR_DEPTH_BITS.get(color_depth, color_depth)}


def _client_display(data):
    display = _fixed(WTS_CLIENT_DISPLAY, data)
    return _display(display.HorizontalResolution, display.VerticalResolution, display.ColorDepth)


def _client_info_address(client):
    """WTSCLIENTW.ClientAddress: an IPv4 address as text, an IPv6 address as its 16 raw bytes."""
    if client.ClientAddressFamily == AF_INET:
        return _array_text(client.ClientAddress)
    if client.ClientAddressFamily == AF_INET6:
        return str(ipaddress.IPv6Address(bytes(client.ClientAddress)[:16]))
    return None


def _client_info(data):
    client = _fixed(WTSCLIENTW, data)
    return {
        "client_name": _array_text(client.ClientName),
        "client_domain": _array_text(client.Domain),
        "client_username": _array_text(client.UserName),
        "work_directory": _array_text(client.WorkDirectory),
        "initial_program": _array_text(client.InitialProgram),
        "encryption_level": client.EncryptionLevel,
        "client_address_family": _address_family(client.ClientAddressFamily),
        "client_address": _client_info_address(client),
        "client_display": _display(client.HRes, client.VRes, client.ColorDepth),
        "client_directory": _array_text(client.ClientDirectory),
        "client_build": client.ClientBuildNumber,
        "client_hardware_id": client.ClientHardwareId,
        "client_product_id": client.ClientProductId,
        "device_id": _array_text(client.DeviceId),
    }


_TRAFFIC = (("incoming_bytes", "IncomingBytes"), ("outgoing_bytes", "OutgoingBytes"),
            ("incoming_frames", "IncomingFrames"), ("outgoing_frames", "OutgoingFrames"),
            ("incoming_compressed_bytes", "IncomingCompressedBytes"),
            ("outgoing_compressed_bytes", "OutgoingCompressedBytes"))
_TIMES = (("logon_time", "LogonTime"), ("connect_time", "ConnectTime"), ("disconnect_time", "DisconnectTime"),
          ("last_input_time", "LastInputTime"), ("current_time", "CurrentTime"))


def _session_facts(info, session_id, session_name, state, username, domain):
    """The keys WTSINFOW and WTSINFOEX_LEVEL1_W share (they name their fields alike)."""
    facts = {"session_id": session_id, "session_name": _array_text(session_name), "state": state_name(state),
             "username": _array_text(username), "domain": _array_text(domain)}
    facts.update((key, getattr(info, field)) for key, field in _TRAFFIC)
    facts.update((key, filetime_to_datetime(getattr(info, field))) for key, field in _TIMES)
    return facts


def _session_info(data):
    info = _fixed(WTSINFOW, data)
    return _session_facts(info, info.SessionId, info.WinStationName, info.State, info.UserName, info.Domain)


def _session_info_ex(data):
    answer = _fixed(WTSINFOEXW, data)
    if answer.Level != WTSINFOEX_LEVEL_1:
        # sdk-api wtsapi32/ns-wtsapi32-wtsinfoexw, Level: "Specifies the level of information contained in the
        # Data member. This can be the following value. 1"; another level has a layout nobody documents.
        raise WinApiError("WTSQuerySessionInformationW", ERROR_INVALID_DATA,
                          "WTSSessionInfoEx answered WTSINFOEXW level %d; only level 1 is documented" % answer.Level)
    info = answer.Data.WTSInfoExLevel1
    facts = _session_facts(info, info.SessionId, info.WinStationName, info.SessionState, info.UserName,
                           info.DomainName)
    facts["locked"] = _LOCKED.get(info.SessionFlags)
    return facts


def _config_info(data):
    config = _fixed(WTSCONFIGINFOW, data)
    return {
        "version": config.version,
        "connect_client_drives_at_logon": bool(config.fConnectClientDrivesAtLogon),
        "connect_printer_at_logon": bool(config.fConnectPrinterAtLogon),
        "disable_printer_redirection": bool(config.fDisablePrinterRedirection),
        "disable_default_main_client_printer": bool(config.fDisableDefaultMainClientPrinter),
        "shadow_settings": config.ShadowSettings,
        "logon_username": _array_text(config.LogonUserName),
        "logon_domain": _array_text(config.LogonDomain),
        "work_directory": _array_text(config.WorkDirectory),
        "initial_program": _array_text(config.InitialProgram),
        "application_name": _array_text(config.ApplicationName),
    }


_DECODERS = {
    WTS_INFO_CLASS["WTSInitialProgram"]: _text,
    WTS_INFO_CLASS["WTSApplicationName"]: _text,
    WTS_INFO_CLASS["WTSWorkingDirectory"]: _text,
    WTS_INFO_CLASS["WTSSessionId"]: _number(c_uint32),
    WTS_INFO_CLASS["WTSUserName"]: _text,
    WTS_INFO_CLASS["WTSWinStationName"]: _text,
    WTS_INFO_CLASS["WTSDomainName"]: _text,
    WTS_INFO_CLASS["WTSConnectState"]: lambda data: state_name(_fixed(c_int32, data).value),
    WTS_INFO_CLASS["WTSClientBuildNumber"]: _number(c_uint32),
    WTS_INFO_CLASS["WTSClientName"]: _text,
    WTS_INFO_CLASS["WTSClientDirectory"]: _text,
    WTS_INFO_CLASS["WTSClientProductId"]: _number(c_uint16),
    WTS_INFO_CLASS["WTSClientHardwareId"]: _number(c_uint32),
    WTS_INFO_CLASS["WTSClientAddress"]: lambda data: _network_address(_fixed(WTS_CLIENT_ADDRESS, data)),
    WTS_INFO_CLASS["WTSClientDisplay"]: _client_display,
    WTS_INFO_CLASS["WTSClientProtocolType"]: lambda data: PROTOCOL_NAMES.get(_fixed(c_uint16, data).value),
    WTS_INFO_CLASS["WTSClientInfo"]: _client_info,
    WTS_INFO_CLASS["WTSSessionInfo"]: _session_info,
    WTS_INFO_CLASS["WTSSessionInfoEx"]: _session_info_ex,
    WTS_INFO_CLASS["WTSConfigInfo"]: _config_info,
    WTS_INFO_CLASS["WTSSessionAddressV4"]: lambda data: _network_address(_fixed(WTS_SESSION_ADDRESS, data)),
    WTS_INFO_CLASS["WTSIsRemoteSession"]: any,  # a BOOLEAN or BOOL: true when any byte is set
}

_CLIENT_DETAILS = ("client_name", "client_address", "client_address_family", "client_build", "client_directory",
                   "client_product_id", "client_hardware_id", "client_display")


def session_details(handle, session_id):
    """What an admin wants to know of one session, in three calls: WTSSessionInfoEx, WTSClientInfo and
    WTSClientProtocolType.

    Keys: session_id, session_name, state, username, domain, the five times (aware UTC datetimes or None),
    locked (True/False/None, the raw flag, not yet corrected for Windows 7), the six traffic counters,
    client_name, client_address, client_address_family, client_build, client_directory, client_product_id,
    client_hardware_id, client_display {width, height, color_depth (bits per pixel)},
    client_protocol (console/ica/rdp/None) and is_remote.
    """
    details = query_session(handle, session_id, "WTSSessionInfoEx")
    client = query_session(handle, session_id, "WTSClientInfo")
    details.update((key, client[key]) for key in _CLIENT_DETAILS)
    details["client_protocol"] = query_session(handle, session_id, "WTSClientProtocolType")
    details["is_remote"] = details["client_protocol"] in ("rdp", "ica")
    return details


def disconnect_session(handle, session_id, wait=False):
    """WTSDisconnectSession: the user's programs keep running; ``wait`` until the session is disconnected."""
    disconnect = _wts("WTSDisconnectSession", c_int32, c_void_p, c_uint32, c_int32)
    _succeed(disconnect(handle, session_id, bool(wait)), "WTSDisconnectSession")


def logoff_session(handle, session_id, wait=False):
    """WTSLogoffSession; without ``wait`` it returns before the session has gone."""
    logoff = _wts("WTSLogoffSession", c_int32, c_void_p, c_uint32, c_int32)
    _succeed(logoff(handle, session_id, bool(wait)), "WTSLogoffSession")


def send_message(handle, session_id, title, message, style=0, timeout=0, wait=False):
    """Show a message box in a session (WTSSendMessageW); return the response code (see RESPONSE_NAMES).

    ``style`` is MessageBox's uType, ``timeout`` in seconds (0: none). Without ``wait`` the answer is
    32001 (async). The lengths passed are in bytes, without the NUL terminator.
    """
    send = _wts("WTSSendMessageW", c_int32, c_void_p, c_uint32, c_void_p, c_uint32, c_void_p, c_uint32, c_uint32,
                c_uint32, POINTER(c_uint32), c_int32)
    title_text, message_text = wide(title), wide(message)
    response = c_uint32()
    _succeed(send(handle, session_id, title_text, ctypes.sizeof(title_text) - 2, message_text,
                  ctypes.sizeof(message_text) - 2, style, timeout, byref(response), bool(wait)),
             "WTSSendMessageW")
    return response.value


def enumerate_processes(handle, server=None, failures=None):
    """Every process of the server as dicts: pid, name, session_id, sid, user (DOMAIN\\\\user or None),
    threads, handles, working_set, peak_working_set, pagefile_usage, peak_pagefile_usage, private_pages
    (bytes), user_time, kernel_time (seconds).

    WTSEnumerateProcessesExW level 1; where it does not exist, WTSEnumerateProcessesW, whose entries
    have no counters (None). Owners are looked up once per distinct SID, on ``server`` (the name the
    handle was opened for; None: this machine); an owner that cannot be named has user None, and with
    ``failures`` (a list) the lookup errors other than ERROR_NONE_MAPPED go there instead of failing the list.
    """
    accounts = {}
    lookup = functools.partial(lookup_account, cache=accounts, server=server, failures=failures)
    try:
        return _enumerate_processes_ex(handle, lookup)
    except WinApiError as error:
        if not _ex_unavailable(error, "WTSEnumerateProcessesExW"):
            raise
    enumerate_classic = _wts("WTSEnumerateProcessesW", c_int32, c_void_p, c_uint32, c_uint32, POINTER(c_void_p),
                             POINTER(c_uint32))
    with _returned_array("WTSEnumerateProcessesW", lambda buffer, count: enumerate_classic(handle, 0, 1, buffer, count),
                         WTS_PROCESS_INFOW) as entries:
        return [_process(entry, lookup) for entry in entries]


def _enumerate_processes_ex(handle, lookup):
    enumerate_ex = _wts("WTSEnumerateProcessesExW", c_int32, c_void_p, POINTER(c_uint32), c_uint32,
                        POINTER(c_void_p), POINTER(c_uint32))
    level = c_uint32(1)
    with _returned_array("WTSEnumerateProcessesExW",
                         lambda buffer, count: enumerate_ex(handle, byref(level), WTS_ANY_SESSION, buffer, count),
                         WTS_PROCESS_INFO_EXW, WTS_TYPE_PROCESS_INFO_LEVEL1) as entries:
        return [_process(entry, lookup) for entry in entries]


_PROCESS_COUNTERS = (("threads", "NumberOfThreads"), ("handles", "HandleCount"), ("working_set", "WorkingSetSize"),
                     ("peak_working_set", "PeakWorkingSetSize"), ("pagefile_usage", "PagefileUsage"),
                     ("peak_pagefile_usage", "PeakPagefileUsage"))


def _process(entry, lookup):
    user, sid = lookup(entry.pUserSid)
    process = {"pid": entry.ProcessId, "name": read_wide(entry.pProcessName), "session_id": entry.SessionId,
               "sid": sid, "user": user}
    extended = isinstance(entry, WTS_PROCESS_INFO_EXW)
    process.update((key, getattr(entry, field) if extended else None) for key, field in _PROCESS_COUNTERS)
    # The private bytes a process has committed are what Windows counts as its page file usage.
    process["private_pages"] = entry.PagefileUsage if extended else None
    # Microsoft documents UserTime and KernelTime in milliseconds.
    process["user_time"] = entry.UserTime / 1000 if extended else None
    process["kernel_time"] = entry.KernelTime / 1000 if extended else None
    return process


def terminate_process(handle, pid, exit_code=0):
    """WTSTerminateProcess: end process ``pid`` with ``exit_code``."""
    terminate = _wts("WTSTerminateProcess", c_int32, c_void_p, c_uint32, c_uint32)
    _succeed(terminate(handle, pid, exit_code), "WTSTerminateProcess")


def shutdown_system(handle, flag):
    """WTSShutdownSystem with one of WTS_WSD_LOGOFF, _SHUTDOWN, _REBOOT, _POWEROFF, _FASTREBOOT.

    SeShutdownPrivilege is enabled in this process's token first (WTSShutdownSystem needs it enabled, and a
    token holds it disabled); an account without it gets 1314 from WTSShutdownSystem.
    """
    enable_privilege("SeShutdownPrivilege")
    _succeed(_wts("WTSShutdownSystem", c_int32, c_void_p, c_uint32)(handle, flag), "WTSShutdownSystem")


def _wait_system_event(handle, mask):
    wait = _wts("WTSWaitSystemEvent", c_int32, c_void_p, c_uint32, POINTER(c_uint32))
    flags = c_uint32()
    _succeed(wait(handle, mask, byref(flags)), "WTSWaitSystemEvent")
    return flags.value


def wait_system_event(handle, mask, timeout=None):
    """Block until one of the events in ``mask`` (int or names) happens; return the names that happened.

    WTSWaitSystemEvent has no timeout of its own ("WTS_EVENT_FLUSH: Causes all pending WTSWaitSystemEvent
    calls on the specified RD Session Host server handle to return"): the wait runs in a thread of its own
    and, ``timeout`` seconds later, this thread releases it with WTS_EVENT_FLUSH on the same handle; the
    answer is then an empty set. When the flush fails, its WinApiError is raised here at the timeout, and
    when the released wait does not return within FLUSH_GRACE_SECONDS, a WinApiError with ERROR_TIMEOUT:
    the timeout holds whatever fails. (The documentation is silent on closing a handle with a wait still
    pending; the abandoned thread is a daemon, which ends with the module's process.) The events carry no
    session id: enumerate again to see what changed.
    """
    mask = flag_mask(mask, EVENT_MASKS, "session event")
    if timeout is None:
        return _event_names(_wait_system_event(handle, mask))
    outcome = {}

    def wait():
        try:
            outcome["flags"] = _wait_system_event(handle, mask)
        except WinApiError as error:
            outcome["error"] = error

    waiter = threading.Thread(target=wait, name="WTSWaitSystemEvent", daemon=True)
    waiter.start()
    waiter.join(timeout)
    if waiter.is_alive():
        _wait_system_event(handle, WTS_EVENT_FLUSH)
        waiter.join(FLUSH_GRACE_SECONDS)
        if waiter.is_alive():
            raise WinApiError("WTSWaitSystemEvent", ERROR_TIMEOUT, "the wait did not return within %g s after "
                              "WTS_EVENT_FLUSH released it" % FLUSH_GRACE_SECONDS)
    if "error" in outcome:
        raise outcome["error"]
    return _event_names(outcome["flags"])


def _event_names(flags):
    return {name for name, bit in EVENT_FLAGS.items() if flags & bit}


class VirtualChannel:
    """A virtual channel of a session on this machine (the API reaches no other), closed on leaving ``with``.

    ``with VirtualChannel.open(session_id, "ECHO") as channel: channel.write(b"ping")``
    """

    def __init__(self, handle):
        self.handle = handle

    @classmethod
    def open(cls, session_id, name, dynamic=False, priority="low"):
        """WTSVirtualChannelOpenEx: a static channel (name of at most 7 ASCII characters) or, with
        ``dynamic``, a dynamic one (an endpoint name of at most MAX_PATH characters) sending with
        ``priority`` low, medium, high or real."""
        encoded, flags = _channel_name_and_flags(name, dynamic, priority)
        function = "WTSVirtualChannelOpenEx"
        try:
            open_channel = _wts(function, c_void_p, c_uint32, c_char_p, c_uint32)
            handle = open_channel(session_id, encoded, flags)
        except WinApiError as error:
            if dynamic or not _ex_unavailable(error, function):
                raise
            # Windows without the Ex call still opens static channels with the original one.
            function = "WTSVirtualChannelOpen"
            open_channel = _wts(function, c_void_p, c_void_p, c_uint32, c_char_p)
            handle = open_channel(WTS_CURRENT_SERVER_HANDLE, session_id, encoded)
        if not handle:
            raise last_error(function)
        return cls(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def write(self, data):
        """Send ``data`` (bytes) to the client; return the number of bytes written."""
        write = _wts("WTSVirtualChannelWrite", c_int32, c_void_p, c_char_p, c_uint32, POINTER(c_uint32))
        written = c_uint32()
        _succeed(write(self.handle, bytes(data), len(data), byref(written)), "WTSVirtualChannelWrite")
        return written.value

    def read(self, timeout_ms, size=CHANNEL_PDU_LENGTH):
        """One chunk the client sent, waiting up to ``timeout_ms``; b"" when nothing came in that time."""
        read = _wts("WTSVirtualChannelRead", c_int32, c_void_p, c_uint32, c_void_p, c_uint32, POINTER(c_uint32))
        buffer, received = ctypes.create_string_buffer(size), c_uint32()
        if not read(self.handle, timeout_ms, buffer, size, byref(received)):
            error = last_error("WTSVirtualChannelRead")
            if error.code == ERROR_IO_INCOMPLETE:
                return b""
            raise error
        return buffer.raw[:received.value]

    def query_client_data(self):
        """WTSVirtualChannelQuery(WTSVirtualClientData): the data the client's channel module sent."""
        query = _wts("WTSVirtualChannelQuery", c_int32, c_void_p, c_int32, POINTER(c_void_p), POINTER(c_uint32))
        return _returned_bytes("WTSVirtualChannelQuery",
                               lambda buffer, size: query(self.handle, WTS_VIRTUAL_CLIENT_DATA, buffer, size))

    def purge_input(self):
        """Discard what the client sent and nobody read yet."""
        _succeed(_wts("WTSVirtualChannelPurgeInput", c_int32, c_void_p)(self.handle), "WTSVirtualChannelPurgeInput")

    def purge_output(self):
        """Discard what was written and not yet sent to the client."""
        _succeed(_wts("WTSVirtualChannelPurgeOutput", c_int32, c_void_p)(self.handle),
                 "WTSVirtualChannelPurgeOutput")

    def close(self):
        """WTSVirtualChannelClose, once; later calls do nothing."""
        handle, self.handle = self.handle, None
        if handle:
            _succeed(_wts("WTSVirtualChannelClose", c_int32, c_void_p)(handle), "WTSVirtualChannelClose")


def _channel_name_and_flags(name, dynamic, priority):
    limit = MAX_PATH if dynamic else CHANNEL_NAME_LEN
    if not name or len(name) > limit or not name.isascii() or "\0" in name:
        raise ValueError("a %s virtual channel name is 1 to %d ASCII characters, not %r"
                         % ("dynamic" if dynamic else "static", limit, name))
    if not dynamic:
        return name.encode("ascii"), 0
    if priority not in CHANNEL_PRIORITIES:
        raise ValueError("unknown channel priority %r; known: %s" % (priority, ", ".join(CHANNEL_PRIORITIES)))
    return name.encode("ascii"), WTS_CHANNEL_OPTION_DYNAMIC | CHANNEL_PRIORITIES[priority]
