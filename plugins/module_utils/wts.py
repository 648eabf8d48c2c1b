# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The Remote Desktop Services API (wtsapi32): its structures, named and laid out as in the Windows SDK's
# wtsapi32.h, and every call the collection makes, returning plain Python values. Every buffer the API
# allocates is freed exactly once with the function Microsoft names for it, on success and on error.

import ctypes
import functools
from contextlib import contextmanager
from ctypes import POINTER, byref, c_int32, c_int64, c_uint8, c_uint16, c_uint32, c_void_p
from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import (
    BOOL,
    DWORD,
    HANDLE,
    LPSTR,
    LPWSTR,
    PCHAR,
    PULONG,
    PVOID,
    ULONG,
    VOID,
    WTS_INFO_CLASS,
    WTS_TYPE_CLASS,
    WTS_VIRTUAL_CLASS,
    WinApiError,
    api,
    computer_name,
    current_process_id,
    decode_wide,
    filetime_to_datetime,
    flag_mask,
    last_error,
    lookup_account,
    own_addresses,
    privilege_enabled,
    read_wide,
    wide,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import (
    ADDRESS_FAMILY_NAMES,
    AF_INET,
    AF_INET6,
    CHANNEL_NAME_LEN,
    CHANNEL_PDU_LENGTH,
    CHANNEL_PRIORITIES,
    CLIENTADDRESS_LENGTH,
    CLIENTNAME_LENGTH,
    COLOR_DEPTH_BITS,
    COMPUTER_NAME_PHYSICAL_DNS_FULLY_QUALIFIED,
    COMPUTER_NAME_PHYSICAL_DNS_HOSTNAME,
    COMPUTER_NAME_PHYSICAL_NETBIOS,
    DOMAIN_LENGTH,
    ERROR_CTX_WINSTATION_NOT_FOUND,
    ERROR_FILE_NOT_FOUND,
    ERROR_INVALID_DATA,
    ERROR_IO_INCOMPLETE,
    ERROR_NOT_SUPPORTED,
    ERROR_PRIVILEGE_NOT_HELD,
    ERROR_PROC_NOT_FOUND,
    ERROR_TIMEOUT,
    EVENT_FLAGS,
    MAX_PATH,
    MB_DEFBUTTON_SHIFT,
    MESSAGE_BUTTONS,
    MESSAGE_ICONS,
    PROTOCOL_NAMES,
    RPC_S_PROCNUM_OUT_OF_RANGE,
    STATE_NAMES,
    USERNAME_LENGTH,
    WINSTATIONNAME_LENGTH,
    WTS_ANY_SESSION,
    WTS_CHANNEL_OPTION_DYNAMIC,
    WTS_CURRENT_SERVER_HANDLE,
    WTS_EVENT_ALL,
    WTS_EVENT_FLUSH,
    WTS_EVENT_NONE,
    WTS_SESSIONSTATE_LOCK,
    WTS_SESSIONSTATE_UNLOCK,
    WTS_TYPE_PROCESS_INFO_LEVEL1,
    WTS_TYPE_SESSION_INFO_LEVEL1,
    WTS_VIRTUAL_CLIENT_DATA,
    WTS_WSD_LOGOFF,
    WTSClientInfo,
    WTSClientProtocolType,
    WTSINFOEX_LEVEL_1,
    WTSSessionInfoEx,
)

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import ListedProcess, ListedSession, SessionDetails

# An Ex function that this Windows (or the remote server) does not have: use the older one instead.
_EX_UNAVAILABLE = frozenset((ERROR_PROC_NOT_FOUND, ERROR_NOT_SUPPORTED, RPC_S_PROCNUM_OUT_OF_RANGE))
# The session (or the process's session) ended between its enumeration and this call.
SESSION_GONE = frozenset((ERROR_FILE_NOT_FOUND, ERROR_CTX_WINSTATION_NOT_FOUND))

# Server names that mean the machine the code runs on (besides its own computer name).
LOCAL_SERVER_NAMES = ("", ".", "localhost")

FLUSH_GRACE_SECONDS = 5.0  # how long a wait released by WTS_EVENT_FLUSH may take to return
# win_rds_wait's event names: the flags, and "all".
EVENT_MASKS = dict(EVENT_FLAGS, all=WTS_EVENT_ALL)
# WTSINFOEX_LEVEL1_W.SessionFlags -> locked (WTS_SESSIONSTATE_UNKNOWN gives None). Raw: Windows 7 and
# Windows Server 2008 R2 report the two values the other way round.
_LOCKED = {WTS_SESSIONSTATE_LOCK: True, WTS_SESSIONSTATE_UNLOCK: False}


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


# Pointers to the structures WTS functions allocate: passed as void pointers, read with from_address.
PWTS_SESSION_INFOW = c_void_p
PWTS_SESSION_INFO_1W = c_void_p
PWTS_PROCESS_INFOW = c_void_p

# The prototypes of wtsapi32.h: name -> (return type, parameter types...).
WTSAPI32 = {
    "WTSOpenServerW": (HANDLE, LPWSTR),
    "WTSOpenServerExW": (HANDLE, LPWSTR),
    "WTSCloseServer": (VOID, HANDLE),
    "WTSFreeMemory": (VOID, PVOID),
    "WTSFreeMemoryExW": (BOOL, WTS_TYPE_CLASS, PVOID, ULONG),
    "WTSEnumerateSessionsW": (BOOL, HANDLE, DWORD, DWORD, POINTER(PWTS_SESSION_INFOW), POINTER(DWORD)),
    "WTSEnumerateSessionsExW": (BOOL, HANDLE, POINTER(DWORD), DWORD, POINTER(PWTS_SESSION_INFO_1W), POINTER(DWORD)),
    "WTSQuerySessionInformationW": (BOOL, HANDLE, DWORD, WTS_INFO_CLASS, POINTER(LPWSTR), POINTER(DWORD)),
    "WTSDisconnectSession": (BOOL, HANDLE, DWORD, BOOL),
    "WTSLogoffSession": (BOOL, HANDLE, DWORD, BOOL),
    "WTSSendMessageW": (BOOL, HANDLE, DWORD, LPWSTR, DWORD, LPWSTR, DWORD, DWORD, DWORD, POINTER(DWORD), BOOL),
    "WTSEnumerateProcessesW": (BOOL, HANDLE, DWORD, DWORD, POINTER(PWTS_PROCESS_INFOW), POINTER(DWORD)),
    "WTSEnumerateProcessesExW": (BOOL, HANDLE, POINTER(DWORD), DWORD, POINTER(LPWSTR), POINTER(DWORD)),
    "WTSTerminateProcess": (BOOL, HANDLE, DWORD, DWORD),
    "WTSShutdownSystem": (BOOL, HANDLE, DWORD),
    "WTSWaitSystemEvent": (BOOL, HANDLE, DWORD, POINTER(DWORD)),
    "WTSVirtualChannelOpen": (HANDLE, HANDLE, DWORD, LPSTR),
    "WTSVirtualChannelOpenEx": (HANDLE, DWORD, LPSTR, DWORD),
    "WTSVirtualChannelClose": (BOOL, HANDLE),
    "WTSVirtualChannelRead": (BOOL, HANDLE, ULONG, PCHAR, ULONG, PULONG),
    "WTSVirtualChannelWrite": (BOOL, HANDLE, PCHAR, ULONG, PULONG),
    "WTSVirtualChannelPurgeInput": (BOOL, HANDLE),
    "WTSVirtualChannelQuery": (BOOL, HANDLE, WTS_VIRTUAL_CLASS, POINTER(PVOID), POINTER(DWORD)),
}


def _wts(name):
    """The wtsapi32 export ``name``, its prototype set from WTSAPI32."""
    return api("wtsapi32", name, WTSAPI32[name])


def _succeed(result, function):
    if not result:
        raise last_error(function)


def session_gone(error):
    """True when a WinApiError says the session no longer exists (2 or 7022): it ended meanwhile."""
    return error.code in SESSION_GONE


def is_local_server(name):
    """True only when ``name`` certainly means the machine the code runs on, so that WTS_CURRENT_SERVER_HANDLE
    (no RPC) may stand for it: None, "", ".", "localhost"; an IP address that is a loopback address or one of
    this machine's own unicast addresses (``own_addresses``, GetUnicastIpAddressTable); a dotted name equal to
    this machine's fully qualified DNS name; a bare name equal to its NetBIOS or DNS host name
    (GetComputerNameExW). Anything else, and any name when the names or addresses cannot be read, is reached
    through WTSOpenServer (RPC), which also works for this machine: a reboot or logoff never lands here by
    mistake (``rdsh01.fabrikam.com`` is not ``rdsh01.contoso.com``). No name is resolved through DNS: an
    answer of the resolver is no proof of which machine a name means.
    """
    if name is None or name.strip().lower() in LOCAL_SERVER_NAMES:
        return True
    wanted = name.strip().lower().rstrip(".")
    address = _ip_address(wanted)
    if address is not None:
        if address.is_loopback:
            return True
        try:
            return address in own_addresses()
        except WinApiError:
            return False  # in doubt: RPC
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
    """The address ``text`` names (an IPv6 address without its ``%zone``), or None when it is no IP address."""
    text = text.strip("[]").split("%", 1)[0]
    if ":" not in text and not set(text) <= set("0123456789."):
        return None  # neither IPv6 (has colons) nor IPv4 (digits and dots only): a name
    # Imported here: ipaddress costs about 3 ms of a task's start on the host, and only an address needs it
    # (docs/performance.md, "Host-side CPU"); likewise in _client_info_address and winapi._row_address.
    import ipaddress

    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def message_style(buttons, icon, default_button):
    """MessageBox's uType for WTSSendMessageW: ``buttons`` and ``icon`` by name (MESSAGE_BUTTONS, MESSAGE_ICONS),
    ``default_button`` the position (1-3) of the button Enter presses."""
    return MESSAGE_BUTTONS[buttons][0] | MESSAGE_ICONS[icon] | (default_button - 1) << MB_DEFBUTTON_SHIFT


def state_name(value):
    """The admin's name of a WTS_CONNECTSTATE_CLASS value (``active``, ``disconnected``, ``listen``, ...)."""
    return STATE_NAMES[value] if 0 <= value < len(STATE_NAMES) else "unknown"


def is_remote_handle(handle):
    """True for a handle ``open_server`` got from WTSOpenServerExW, False for WTS_CURRENT_SERVER_HANDLE."""
    return handle is not WTS_CURRENT_SERVER_HANDLE


@contextmanager
def open_server(name=None, remote=False):
    """A server handle for ``name``, closed on leaving; errors raised inside carry the server's name.

    A name that ``is_local_server`` means the machine the code runs on: WTS_CURRENT_SERVER_HANDLE, no RPC.
    Other names, and any name with ``remote`` (one more handle to a server already opened remotely), are
    opened with WTSOpenServerExW (an RD Session Host or an RD Virtualization Host), or WTSOpenServerW where
    the Ex export is missing. Neither checks the name; an unreachable server fails the first call made with
    the handle (1722).
    """
    local = not remote and is_local_server(name)
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
            _wts("WTSCloseServer")(handle)


def _open_remote_server(name):
    function = "WTSOpenServerExW"
    try:
        opener = _wts(function)
    except WinApiError as error:
        if not _ex_unavailable(error, function):
            raise
        function = "WTSOpenServerW"
        opener = _wts(function)
    handle = opener(wide(name))
    if not handle:
        raise last_error(function, server=name)
    return handle


def _free(address, type_class=None, count=0):
    """Free a buffer of the WTS API: WTSFreeMemoryExW for the Ex enumerations' type classes, else WTSFreeMemory."""
    if not address:
        return
    if type_class is None:
        _wts("WTSFreeMemory")(address)
    else:
        _succeed(_wts("WTSFreeMemoryExW")(type_class, address, count),
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
    return _ex_or_classic(handle, "WTSEnumerateSessionsExW", lambda: _enumerate_sessions_ex(handle),
                          "WTSEnumerateSessionsW", WTS_SESSION_INFOW,
                          lambda entry: _session(entry.SessionId, entry.State, entry.pWinStationName, None, None,
                                                 None, None))


def _ex_or_classic(handle, ex_function, enumerate_ex, classic_function, entry_type, convert):
    """``enumerate_ex()``, the Ex enumeration; where this Windows lacks ``ex_function``, the classic one
    instead: ``classic_function(handle, 0, 1, ...)`` (Reserved 0, Version 1), each ``entry_type`` entry
    ``convert``-ed."""
    try:
        return enumerate_ex()
    except WinApiError as error:
        if not _ex_unavailable(error, ex_function):
            raise
    enumerate_classic = _wts(classic_function)
    with _returned_array(classic_function, lambda buffer, count: enumerate_classic(handle, 0, 1, buffer, count),
                         entry_type) as entries:
        return [convert(entry) for entry in entries]


def _enumerate_sessions_ex(handle):
    enumerate_ex = _wts("WTSEnumerateSessionsExW")
    level = c_uint32(1)
    with _returned_array("WTSEnumerateSessionsExW",
                         lambda buffer, count: enumerate_ex(handle, byref(level), 0, buffer, count),
                         WTS_SESSION_INFO_1W, WTS_TYPE_SESSION_INFO_LEVEL1) as entries:
        return [_session(entry.SessionId, entry.State, entry.pSessionName, entry.pHostName, entry.pUserName,
                         entry.pDomainName, entry.pFarmName) for entry in entries]


def _session(session_id, state, session_name, host_name, username, domain, farm_name) -> ListedSession:
    return {"session_id": session_id, "state": state_name(state), "session_name": read_wide(session_name) or None,
            "host_name": read_wide(host_name) or None, "username": read_wide(username) or None,
            "domain": read_wide(domain) or None, "farm_name": read_wide(farm_name) or None}


def _query(handle, session_id, info_class):
    """WTSQuerySessionInformationW of one WTS_INFO_CLASS value: a copy of the bytes it returned."""
    query = _wts("WTSQuerySessionInformationW")
    return _returned_bytes("WTSQuerySessionInformationW",
                           lambda buffer, size: query(handle, session_id, info_class, buffer, size))


def _fixed(ctype, data):
    """``data`` as the structure or number ``ctype``, after checking that Windows returned at least its size.

    sdk-api wtsapi32/nf-wtsapi32-wtsquerysessioninformationw, pBytesReturned: "receives the size, in bytes, of
    the data returned in ppBuffer". Nothing promises that size for any class, so a shorter answer is a failure
    with a clear message, never a read past the buffer.
    """
    size = ctypes.sizeof(ctype)
    if len(data) < size:
        raise WinApiError("WTSQuerySessionInformationW", ERROR_INVALID_DATA,
                          "Windows returned %d bytes where %s takes %d" % (len(data), ctype.__name__, size))
    return ctype.from_buffer_copy(data)


def _array_text(array):
    return decode_wide(bytes(array)) or None


def _client_info_address(client):
    """WTSCLIENTW.ClientAddress: an IPv4 address as text, an IPv6 address as its 16 raw bytes."""
    if client.ClientAddressFamily == AF_INET:
        return _array_text(client.ClientAddress)
    if client.ClientAddressFamily == AF_INET6:
        import ipaddress  # here: see _ip_address

        return str(ipaddress.IPv6Address(bytes(client.ClientAddress)[:16]))
    return None


def _client_info(data):
    """WTSClientInfo: the keys of session_details that describe the client."""
    client = _fixed(WTSCLIENTW, data)
    return {
        "client_name": _array_text(client.ClientName),
        "client_address_family": ADDRESS_FAMILY_NAMES.get(client.ClientAddressFamily, str(client.ClientAddressFamily)),
        "client_address": _client_info_address(client),
        "client_display": {"width": client.HRes, "height": client.VRes,
                           "color_depth": COLOR_DEPTH_BITS.get(client.ColorDepth, client.ColorDepth)},
        "client_directory": _array_text(client.ClientDirectory),
        "client_build": client.ClientBuildNumber,
        "client_hardware_id": client.ClientHardwareId,
        "client_product_id": client.ClientProductId,
    }


_TRAFFIC = (("incoming_bytes", "IncomingBytes"), ("outgoing_bytes", "OutgoingBytes"),
            ("incoming_frames", "IncomingFrames"), ("outgoing_frames", "OutgoingFrames"),
            ("incoming_compressed_bytes", "IncomingCompressedBytes"),
            ("outgoing_compressed_bytes", "OutgoingCompressedBytes"))
_FILETIMES = (("logon_time", "LogonTime"), ("connect_time", "ConnectTime"), ("disconnect_time", "DisconnectTime"),
              ("last_input_time", "LastInputTime"), ("current_time", "CurrentTime"))


def _session_info_ex(data):
    """WTSSessionInfoEx (level 1): the keys of session_details that describe the session itself."""
    answer = _fixed(WTSINFOEXW, data)
    if answer.Level != WTSINFOEX_LEVEL_1:
        # sdk-api wtsapi32/ns-wtsapi32-wtsinfoexw, Level: "Specifies the level of information contained in the
        # Data member. This can be the following value. 1"; another level has a layout nobody documents.
        raise WinApiError("WTSQuerySessionInformationW", ERROR_INVALID_DATA,
                          "WTSSessionInfoEx answered WTSINFOEXW level %d; only level 1 is documented" % answer.Level)
    info = answer.Data.WTSInfoExLevel1
    facts = {"session_id": info.SessionId, "session_name": _array_text(info.WinStationName),
             "state": state_name(info.SessionState), "username": _array_text(info.UserName),
             "domain": _array_text(info.DomainName), "locked": _LOCKED.get(info.SessionFlags)}
    facts.update((key, getattr(info, field)) for key, field in _TRAFFIC)
    facts.update((key, filetime_to_datetime(getattr(info, field))) for key, field in _FILETIMES)
    return facts


def session_details(handle, session_id) -> SessionDetails:
    """What an admin wants to know of one session, in three calls: WTSSessionInfoEx, WTSClientInfo and
    WTSClientProtocolType.

    Keys: session_id, session_name, state, username, domain, the five times (aware UTC datetimes or None),
    locked (True/False/None, the raw flag, not yet corrected for Windows 7), the six traffic counters,
    client_name, client_address, client_address_family, client_build, client_directory, client_product_id,
    client_hardware_id, client_display {width, height, color_depth (bits per pixel)},
    client_protocol (console/ica/rdp/None) and is_remote.
    """
    details = _session_info_ex(_query(handle, session_id, WTSSessionInfoEx))
    details.update(_client_info(_query(handle, session_id, WTSClientInfo)))
    protocol = _fixed(c_uint16, _query(handle, session_id, WTSClientProtocolType)).value  # a USHORT
    details["client_protocol"] = PROTOCOL_NAMES.get(protocol)
    details["is_remote"] = details["client_protocol"] in ("rdp", "ica")
    return details


def disconnect_session(handle, session_id):
    """WTSDisconnectSession, asynchronously (bWait FALSE): the user's programs keep running."""
    disconnect = _wts("WTSDisconnectSession")
    _succeed(disconnect(handle, session_id, False), "WTSDisconnectSession")


def logoff_session(handle, session_id):
    """WTSLogoffSession, asynchronously (bWait FALSE): it returns before the session has gone."""
    logoff = _wts("WTSLogoffSession")
    _succeed(logoff(handle, session_id, False), "WTSLogoffSession")


def send_message(handle, session_id, title, message, style=0, timeout=0, wait=False):
    """Show a message box in a session (WTSSendMessageW); return the response code (see RESPONSE_NAMES).

    ``style`` is MessageBox's uType, ``timeout`` in seconds (0: none). Without ``wait`` the answer is
    32001 (async). The lengths passed are in bytes, without the NUL terminator.
    """
    send = _wts("WTSSendMessageW")
    title_text, message_text = wide(title), wide(message)
    response = c_uint32()
    _succeed(send(handle, session_id, title_text, ctypes.sizeof(title_text) - 2, message_text,
                  ctypes.sizeof(message_text) - 2, style, timeout, byref(response), bool(wait)),
             "WTSSendMessageW")
    return response.value


def enumerate_processes(handle, server=None, failures=None):
    """Every process of the server as dicts: pid, name, session_id, sid, user (DOMAIN\\\\user or None),
    threads, handles, working_set, peak_working_set, pagefile_usage, peak_pagefile_usage, private_pages
    (bytes, DWORDs: cut to their low 32 bits at 4 GiB), user_time, kernel_time (raw counts: see
    ``cpu_time_unit``).

    WTSEnumerateProcessesExW level 1; where it does not exist, WTSEnumerateProcessesW, whose entries
    have no counters (None). Owners are looked up once per distinct SID, on ``server`` (the name the
    handle was opened for; None: this machine); an owner that cannot be named has user None, and with
    ``failures`` (a list) the lookup errors other than ERROR_NONE_MAPPED go there instead of failing the list.
    """
    accounts = {}
    lookup = functools.partial(lookup_account, cache=accounts, server=server, failures=failures)
    return _ex_or_classic(handle, "WTSEnumerateProcessesExW", lambda: _enumerate_processes_ex(handle, lookup),
                          "WTSEnumerateProcessesW", WTS_PROCESS_INFOW, lambda entry: _process(entry, lookup))


def _enumerate_processes_ex(handle, lookup):
    return _processes_ex(handle, lambda entries: [_process(entry, lookup) for entry in entries])


def _processes_ex(handle, read):
    """``read(entries)`` of WTSEnumerateProcessesExW level 1 (every session) on ``handle``, buffer freed after."""
    enumerate_ex = _wts("WTSEnumerateProcessesExW")
    level = c_uint32(1)
    with _returned_array("WTSEnumerateProcessesExW",
                         lambda buffer, count: enumerate_ex(handle, byref(level), WTS_ANY_SESSION, buffer, count),
                         WTS_PROCESS_INFO_EXW, WTS_TYPE_PROCESS_INFO_LEVEL1) as entries:
        return read(entries)


_PROCESS_COUNTERS = (("threads", "NumberOfThreads"), ("handles", "HandleCount"), ("working_set", "WorkingSetSize"),
                     ("peak_working_set", "PeakWorkingSetSize"), ("pagefile_usage", "PagefileUsage"),
                     ("peak_pagefile_usage", "PeakPagefileUsage"))


def _process(entry, lookup) -> ListedProcess:
    user, sid = lookup(entry.pUserSid)
    process = {"pid": entry.ProcessId, "name": read_wide(entry.pProcessName), "session_id": entry.SessionId,
               "sid": sid, "user": user}
    extended = isinstance(entry, WTS_PROCESS_INFO_EXW)
    process.update((key, getattr(entry, field) if extended else None) for key, field in _PROCESS_COUNTERS)
    # The private bytes a process has committed are what Windows counts as its page file usage.
    process["private_pages"] = entry.PagefileUsage if extended else None
    # Raw: wts_process_info_exw says "The amount of time, in milliseconds", real hosts are reported to give
    # 100-ns units; cpu_time_unit() tells which on this host.
    process["user_time"] = entry.UserTime if extended else None
    process["kernel_time"] = entry.KernelTime if extended else None
    return process


def own_process_cpu_count(handle=WTS_CURRENT_SERVER_HANDLE):
    """UserTime + KernelTime of this process's own WTS_PROCESS_INFO_EXW entry, as Windows gives them (no owner
    lookups), or None when it is not listed or the Ex function is missing."""
    pid = current_process_id()
    return _processes_ex(handle, lambda entries: next(
        (entry.UserTime + entry.KernelTime for entry in entries if entry.ProcessId == pid), None))


def terminate_process(handle, pid, exit_code=0):
    """WTSTerminateProcess: end process ``pid`` with ``exit_code``."""
    terminate = _wts("WTSTerminateProcess")
    _succeed(terminate(handle, pid, exit_code), "WTSTerminateProcess")


def shutdown_system(handle, flag):
    """WTSShutdownSystem with one of WTS_WSD_LOGOFF, _SHUTDOWN, _REBOOT, _POWEROFF.

    wtsshutdownsystem: "To shut down or restart the system, the calling process must have the SE_SHUTDOWN_NAME
    privilege enabled." For this machine (WTS_CURRENT_SERVER_HANDLE) SeShutdownPrivilege is enabled for the
    call only, and put back as it was; WTS_WSD_LOGOFF shuts nothing down and gets nothing enabled. The page is
    silent on a server reached over RPC, which checks its own rights for the connecting account
    (SeRemoteShutdownPrivilege): it is asked without touching this token, and only if it answers 1314 is the
    call made once more with the privilege enabled here. An account without it gets 1314.
    """
    shutdown = _wts("WTSShutdownSystem")
    if flag == WTS_WSD_LOGOFF:
        _succeed(shutdown(handle, flag), "WTSShutdownSystem")
        return
    if handle is not WTS_CURRENT_SERVER_HANDLE:
        try:
            _succeed(shutdown(handle, flag), "WTSShutdownSystem")
            return
        except WinApiError as error:
            if error.code != ERROR_PRIVILEGE_NOT_HELD:
                raise
    with privilege_enabled("SeShutdownPrivilege"):
        _succeed(shutdown(handle, flag), "WTSShutdownSystem")


def _wait_system_event(handle, mask):
    wait = _wts("WTSWaitSystemEvent")
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
    # Imported here: threading costs about 2 ms of a task's start on the host, and only a wait with a timeout
    # starts a thread (docs/performance.md, "Host-side CPU").
    import threading

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


def end_event_waits(handle):
    """Clear the handle's event wait block: MS-TSTS 3.7.4.1.15, WEVENT_NONE: "The client requests to clear its
    event wait block. This MUST be called when completing waiting for the event." (Closing a server handle
    does it on the caller's behalf; WTS_CURRENT_SERVER_HANDLE is never closed.)"""
    _wait_system_event(handle, WTS_EVENT_NONE)


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
        encoded, flags = channel_name_and_flags(name, dynamic, priority)
        function = "WTSVirtualChannelOpenEx"
        try:
            open_channel = _wts(function)
            handle = open_channel(session_id, encoded, flags)
        except WinApiError as error:
            if dynamic or not _ex_unavailable(error, function):
                raise
            # Windows without the Ex call still opens static channels with the original one.
            function = "WTSVirtualChannelOpen"
            open_channel = _wts(function)
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
        write = _wts("WTSVirtualChannelWrite")
        written = c_uint32()
        _succeed(write(self.handle, bytes(data), len(data), byref(written)), "WTSVirtualChannelWrite")
        return written.value

    def read(self, timeout_ms, size=CHANNEL_PDU_LENGTH):
        """One chunk the client sent, waiting up to ``timeout_ms``, as Windows gives it (on a dynamic channel with
        its CHANNEL_PDU_HEADER in front; _channels.read_reply joins the chunks); b"" when nothing came in time."""
        # WTSVirtualChannelRead, BufferSize: "If the chunk of data in Buffer will be preceded by a CHANNEL_PDU_HEADER
        # structure, the value of this parameter should be at least CHANNEL_PDU_LENGTH."
        read = _wts("WTSVirtualChannelRead")
        buffer, received = ctypes.create_string_buffer(size), c_uint32()
        if not read(self.handle, timeout_ms, buffer, size, byref(received)):
            error = last_error("WTSVirtualChannelRead")
            if error.code == ERROR_IO_INCOMPLETE:
                return b""
            raise error
        return buffer.raw[:received.value]

    def query_client_data(self):
        """WTSVirtualChannelQuery(WTSVirtualClientData): the data the client's channel module sent."""
        query = _wts("WTSVirtualChannelQuery")
        return _returned_bytes("WTSVirtualChannelQuery",
                               lambda buffer, size: query(self.handle, WTS_VIRTUAL_CLIENT_DATA, buffer, size))

    def purge_input(self):
        """Discard what the client sent and nobody read yet."""
        _succeed(_wts("WTSVirtualChannelPurgeInput")(self.handle), "WTSVirtualChannelPurgeInput")

    def close(self):
        """WTSVirtualChannelClose, once; later calls do nothing."""
        handle, self.handle = self.handle, None
        if handle:
            _succeed(_wts("WTSVirtualChannelClose")(handle), "WTSVirtualChannelClose")


def channel_name_and_flags(name, dynamic, priority):
    """The name for WTSVirtualChannelOpenEx and its flags; ValueError for a name or priority Windows would refuse."""
    limit = MAX_PATH if dynamic else CHANNEL_NAME_LEN
    if not name or len(name) > limit or not name.isascii() or "\0" in name:
        raise ValueError("a %s virtual channel name is 1 to %d ASCII characters, not %r"
                         % ("dynamic" if dynamic else "static", limit, name))
    if not dynamic:
        return name.encode("ascii"), 0
    if priority not in CHANNEL_PRIORITIES:
        raise ValueError("unknown channel priority %r; known: %s" % (priority, ", ".join(CHANNEL_PRIORITIES)))
    return name.encode("ascii"), WTS_CHANNEL_OPTION_DYNAMIC | CHANNEL_PRIORITIES[priority]
