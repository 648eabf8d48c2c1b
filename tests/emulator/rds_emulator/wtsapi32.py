"""wtsapi32.dll: sessions, processes, messages, events and virtual channels of the emulated servers."""

from __future__ import annotations

import base64
import ctypes
import ipaddress
import struct
import time

from . import state as st
from .dll import DWORD, HANDLE, LPDWORD, LPSTR, LPWSTR, PPVOID, PVOID, VOID, export
from .errors import (ERROR_ACCESS_DENIED, ERROR_CTX_WINSTATION_NOT_FOUND, ERROR_FILE_NOT_FOUND, ERROR_GEN_FAILURE,
                     ERROR_INSUFFICIENT_BUFFER, ERROR_IO_INCOMPLETE, ERROR_NOT_FOUND, ERROR_NOT_SUPPORTED,
                     ERROR_PRIVILEGE_NOT_HELD, ERROR_INVALID_PARAMETER, WinFail)
from .memory import read_astr, read_u32, read_wstr, wstr, write_bytes, write_ptr, write_u32
from .sids import sid_blob
from .structs import (WTS_CLIENT_ADDRESS, WTS_CLIENT_DISPLAY, WTS_PROCESS_INFO_EXW, WTS_PROCESS_INFOW,
                      WTS_SESSION_ADDRESS, WTS_SESSION_INFO_1W, WTS_SESSION_INFOW, WTSCLIENTW, WTSCONFIGINFOW,
                      WTSINFOEXW, WTSINFOW, fill)

WTS_CURRENT_SESSION = 0xFFFFFFFF
WTS_ANY_SESSION = 0xFFFFFFFE
WTS_EVENT_FLUSH = 0x80000000
WTS_EVENT_NONE = 0x0
WTS_CHANNEL_OPTION_DYNAMIC = 0x1
CHANNEL_CHUNK_LENGTH = 1600  # pchannel.h
CHANNEL_FLAG_FIRST, CHANNEL_FLAG_LAST = 0x01, 0x02  # pchannel.h, CHANNEL_PDU_HEADER flags
INFINITE = 0xFFFFFFFF
IDTIMEOUT = 32000
IDASYNC = 32001
AF_UNSPEC, AF_INET, AF_INET6 = 0, 2, 23
WTS_TYPE_PROCESS_INFO_LEVEL0, WTS_TYPE_PROCESS_INFO_LEVEL1, WTS_TYPE_SESSION_INFO_LEVEL1 = 0, 1, 2
WTS_SESSIONSTATE_LOCK, WTS_SESSIONSTATE_UNLOCK, WTS_SESSIONSTATE_UNKNOWN = 0, 1, -1
SHUTDOWN_FLAGS = {0x1: "logoff", 0x2: "shutdown", 0x4: "reboot", 0x8: "poweroff", 0x10: "fastreboot"}
RESPONSES = {"ok": 1, "cancel": 2, "abort": 3, "retry": 4, "ignore": 5, "yes": 6, "no": 7, "tryagain": 10,
             "continue": 11, "timeout": IDTIMEOUT}


# --- sessions -----------------------------------------------------------------------------------------

def _session(call, server: dict, session_id: int, missing: int) -> dict:
    if session_id == WTS_CURRENT_SESSION:
        session_id = server["current_session_id"]
    session = st.find_session(server, session_id)
    if session is None:
        raise WinFail(missing)
    return session


def _state_code(session: dict) -> int:
    return st.SESSION_STATES.index(session["state"])


def _is_protected(session: dict) -> bool:
    """Session 0 and listeners: Windows refuses to disconnect or log them off."""
    return session["id"] == 0 or session["state"] == "listen"


def _address(text):
    """(family, raw address bytes) of a session's client address text."""
    if not text:
        return AF_UNSPEC, b""
    address = ipaddress.ip_address(text)
    return (AF_INET if address.version == 4 else AF_INET6), address.packed


@export("wtsapi32", HANDLE, ("pServerName", LPWSTR))
def WTSOpenServerW(call, pServerName):
    return _open_server(call, pServerName)


@export("wtsapi32", HANDLE, ("pServerName", LPWSTR))
def WTSOpenServerExW(call, pServerName):
    return _open_server(call, pServerName)


def _open_server(call, name_address):
    """Windows opens any name without contacting it: a bad server fails at the first use (1722)."""
    name = read_wstr(name_address)
    server = st.server_key(call.state, name) or name
    return call.emulator.new_handle("server", call.name, server, poisoned=call.poison).value


@export("wtsapi32", VOID, ("hServer", HANDLE))
def WTSCloseServer(call, hServer):
    if hServer:
        call.emulator.close_handle(hServer, "server", call)
        call.emulator.event_block(hServer, clear=True)  # MS-TSTS: cleared "on the client's behalf"


@export("wtsapi32", DWORD, ("hServer", HANDLE), ("Reserved", DWORD), ("Version", DWORD),
        ("ppSessionInfo", PPVOID(WTS_SESSION_INFOW)), ("pCount", LPDWORD))
def WTSEnumerateSessionsW(call, hServer, Reserved, Version, ppSessionInfo, pCount):
    _key, server = call.server(hServer)
    if Reserved != 0 or Version != 1:
        raise WinFail(ERROR_INVALID_PARAMETER)
    sessions = sorted(server["sessions"], key=lambda s: s["id"])
    rows = [{"SessionId": s["id"], "pWinStationName": wstr(s["station"]), "State": _state_code(s)} for s in sessions]
    _return_array(call, WTS_SESSION_INFOW, rows, ppSessionInfo, pCount, "WTSFreeMemory")
    return 1


@export("wtsapi32", DWORD, ("hServer", HANDLE), ("pLevel", LPDWORD), ("Filter", DWORD),
        ("ppSessionInfo", PPVOID(WTS_SESSION_INFO_1W)), ("pCount", LPDWORD))
def WTSEnumerateSessionsExW(call, hServer, pLevel, Filter, ppSessionInfo, pCount):
    key, server = call.server(hServer)
    if not pLevel or read_u32(pLevel) != 1 or Filter != 0:
        raise WinFail(ERROR_INVALID_PARAMETER)
    rows = [{
        "ExecEnvId": s["id"], "State": _state_code(s), "SessionId": s["id"], "pSessionName": wstr(s["station"]),
        "pHostName": wstr(key), "pUserName": wstr(s["user"] or None), "pDomainName": wstr(s["domain"] or None),
        "pFarmName": wstr(s["farm"] or None),
    } for s in sorted(server["sessions"], key=lambda s: s["id"])]
    _return_array(call, WTS_SESSION_INFO_1W, rows, ppSessionInfo, pCount, "WTSFreeMemoryExW",
                  WTS_TYPE_SESSION_INFO_LEVEL1)
    return 1


def _return_array(call, struct_type, rows, pp_buffer, p_count, free_with, type_class=None):
    address = call.emulator.heap.pack(struct_type, rows, free_with, call.name, type_class)
    write_ptr(pp_buffer, address)
    write_u32(p_count, len(rows))


# --- WTSQuerySessionInformationW ----------------------------------------------------------------------

def _text(value: str) -> bytes:
    return value.encode("utf-16-le", "surrogatepass") + b"\0\0"


def _u32(value: int) -> bytes:
    return (value & 0xFFFFFFFF).to_bytes(4, "little")


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _client_address(server, session):
    # Microsoft documents IPv4 at Address[2..5] and IPv6 as the 16 raw bytes from Address[0].
    family, raw = _address(session["client_address"])
    address = b"\0\0" + raw if family == AF_INET else raw
    return bytes(fill(WTS_CLIENT_ADDRESS(), {"AddressFamily": family, "Address": address}))


def _client_display(server, session):
    display = session["client_display"]
    fields = {"HorizontalResolution": display["width"], "VerticalResolution": display["height"],
              "ColorDepth": display["color_depth"]}
    return bytes(fill(WTS_CLIENT_DISPLAY(), fields))


def _client_info(server, session):
    family, raw = _address(session["client_address"])
    display = session["client_display"]
    return bytes(fill(WTSCLIENTW(), {
        "ClientName": session["client_name"], "Domain": session["domain"], "UserName": session["user"],
        "WorkDirectory": session["working_directory"], "InitialProgram": session["initial_program"],
        "EncryptionLevel": session["encryption_level"], "ClientAddressFamily": family,
        "ClientAddress": session["client_address"] if family == AF_INET else raw,
        "HRes": display["width"], "VRes": display["height"], "ColorDepth": display["color_depth"],
        "ClientDirectory": session["client_directory"], "ClientBuildNumber": session["client_build"],
        "ClientHardwareId": session["client_hardware_id"], "ClientProductId": session["client_product_id"],
    }))


def _times(state, server, session) -> dict:
    return {
        "LogonTime": st.filetime(session["logon_time"]), "ConnectTime": st.filetime(session["connect_time"]),
        "DisconnectTime": st.filetime(session["disconnect_time"]),
        "LastInputTime": st.filetime(session["last_input_time"]),
        "CurrentTime": st.filetime(st.server_now(state, server)),
    }


def _counters(session) -> dict:
    return {"IncomingBytes": session["incoming_bytes"], "OutgoingBytes": session["outgoing_bytes"],
            "IncomingFrames": session["incoming_frames"], "OutgoingFrames": session["outgoing_frames"],
            "IncomingCompressedBytes": session["incoming_compressed_bytes"],
            "OutgoingCompressedBytes": session["outgoing_compressed_bytes"]}


def _session_info(state, server, session):
    values = {"State": _state_code(session), "SessionId": session["id"], "WinStationName": session["station"],
              "Domain": session["domain"], "UserName": session["user"]}
    values.update(_counters(session))
    values.update(_times(state, server, session))
    return bytes(fill(WTSINFOW(), values))


def _lock_flags(server, session) -> int:
    if session["locked"] is None:
        return WTS_SESSIONSTATE_UNKNOWN
    locked = session["locked"]
    # sdk-api wtsapi32/ns-wtsapi32-wtsinfoex_level1_w, SessionFlags: "Windows Server 2008 R2 and Windows 7: Due to
    # a code defect, the usage of the WTS_SESSIONSTATE_LOCK and WTS_SESSIONSTATE_UNLOCK flags is reversed."
    if server["os_version"] == "6.1":
        locked = not locked
    return WTS_SESSIONSTATE_LOCK if locked else WTS_SESSIONSTATE_UNLOCK


def _session_info_ex(state, server, session):
    info = WTSINFOEXW(Level=1)
    values = {"SessionId": session["id"], "SessionState": _state_code(session),
              "SessionFlags": _lock_flags(server, session), "WinStationName": session["station"],
              "UserName": session["user"], "DomainName": session["domain"]}
    values.update(_times(state, server, session))
    values.update(_counters(session))
    fill(info.Data.WTSInfoExLevel1, values)
    return bytes(info)


CONFIG_DEFAULTS = {"connect_client_drives_at_logon": 1, "connect_printer_at_logon": 1,
                   "disable_printer_redirection": 0, "disable_default_main_client_printer": 0, "shadow_settings": 1}


def _config_info(server, session):
    config = dict(CONFIG_DEFAULTS, **session["config"])
    return bytes(fill(WTSCONFIGINFOW(), {
        "version": 1, "fConnectClientDrivesAtLogon": config["connect_client_drives_at_logon"],
        "fConnectPrinterAtLogon": config["connect_printer_at_logon"],
        "fDisablePrinterRedirection": config["disable_printer_redirection"],
        "fDisableDefaultMainClientPrinter": config["disable_default_main_client_printer"],
        "ShadowSettings": config["shadow_settings"], "LogonUserName": session["user"],
        "LogonDomain": session["domain"], "WorkDirectory": session["working_directory"],
        "InitialProgram": session["initial_program"], "ApplicationName": session["application_name"],
    }))


def _session_address(server, session):
    if not session["virtual_ip"]:
        raise WinFail(ERROR_NOT_SUPPORTED)
    _family, raw = _address(session["virtual_ip"])
    return bytes(fill(WTS_SESSION_ADDRESS(), {"AddressFamily": AF_INET, "Address": b"\0\0" + raw}))


def _not_supported(server, session):
    raise WinFail(ERROR_NOT_SUPPORTED)


def _protocol_type(server, session):
    """WTSClientProtocolType. sdk-api wtsapi32/ne-wtsapi32-wts_info_class, WTSClientProtocolType: "0 The console
    session. 1 This value is retained for legacy purposes. 2 The RDP protocol." The page is silent on a session
    that no client is connected to: a disconnected session keeps its protocol, or (``disconnected_protocol``
    "console") reads 0 like the console, the two outcomes a real host may give."""
    if session["state"] == "disconnected" and server["disconnected_protocol"] == "console":
        return 0
    return st.PROTOCOLS.index(session["protocol"])


INFO_CLASSES = {
    0: lambda server, s: _text(s["initial_program"]),
    1: lambda server, s: _text(s["application_name"]),
    2: lambda server, s: _text(s["working_directory"]),
    3: lambda server, s: _text(""),
    4: lambda server, s: _u32(s["id"]),
    5: lambda server, s: _text(s["user"]),
    6: lambda server, s: _text(s["station"]),
    7: lambda server, s: _text(s["domain"]),
    8: lambda server, s: _u32(_state_code(s)),
    9: lambda server, s: _u32(s["client_build"]),
    10: lambda server, s: _text(s["client_name"]),
    11: lambda server, s: _text(s["client_directory"]),
    12: lambda server, s: _u16(s["client_product_id"]),
    13: lambda server, s: _u32(s["client_hardware_id"]),
    14: _client_address,
    15: _client_display,
    # sdk-api wtsapi32/ne-wtsapi32-wts_info_class, WTSClientProtocolType: "A USHORT value that specifies
    # information about the protocol type for the session" (see _protocol_type; a test may also set a
    # session's "protocol" directly; the host self-check, docs/testing.md, records what a real host does).
    16: lambda server, s: _u16(_protocol_type(server, s)),
    17: _not_supported, 18: _not_supported, 19: _not_supported, 20: _not_supported, 21: _not_supported,
    22: _not_supported,
    23: _client_info,
    26: _config_info,
    27: _not_supported,
    28: _session_address,
}
WTS_SESSION_INFO = 24
WTS_SESSION_INFO_EX = 25
WTS_IS_REMOTE_SESSION = 29


@export("wtsapi32", DWORD, ("hServer", HANDLE), ("SessionId", DWORD), ("WTSInfoClass", DWORD), ("ppBuffer", PPVOID),
        ("pBytesReturned", LPDWORD))
def WTSQuerySessionInformationW(call, hServer, SessionId, WTSInfoClass, ppBuffer, pBytesReturned):
    _key, server = call.server(hServer)
    session = _session(call, server, SessionId, ERROR_FILE_NOT_FOUND)
    if WTSInfoClass == WTS_SESSION_INFO:
        data = _session_info(call.state, server, session)
    elif WTSInfoClass == WTS_SESSION_INFO_EX:
        data = _session_info_ex(call.state, server, session)
    elif WTSInfoClass == WTS_IS_REMOTE_SESSION:
        if hServer:
            raise WinFail(ERROR_INVALID_PARAMETER)
        data = bytes([session["protocol"] != "console"])
    elif WTSInfoClass in INFO_CLASSES:
        data = INFO_CLASSES[WTSInfoClass](server, session)
    else:
        raise WinFail(ERROR_INVALID_PARAMETER)
    raw = session.get("raw_answers", {}).get(str(WTSInfoClass))
    if raw is not None:
        # sdk-api wtsapi32/nf-wtsapi32-wtsquerysessioninformationw, pBytesReturned: "receives the size, in bytes,
        # of the data returned in ppBuffer". The page promises no size per class (nor WTSINFOEXW's Level): a
        # state may make Windows answer other bytes (a short buffer, another level) to test the caller's checks.
        data = base64.b64decode(raw)
    write_ptr(ppBuffer, call.emulator.heap.allocate(data, "WTSFreeMemory", call.name))
    write_u32(pBytesReturned, len(data))
    return 1


# --- freeing ------------------------------------------------------------------------------------------

@export("wtsapi32", VOID, ("pMemory", PVOID))
def WTSFreeMemory(call, pMemory):
    if pMemory:
        call.emulator.heap.free(pMemory, call.name)


@export("wtsapi32", DWORD, ("WTSTypeClass", DWORD), ("pMemory", PVOID), ("NumberOfEntries", DWORD))
def WTSFreeMemoryExW(call, WTSTypeClass, pMemory, NumberOfEntries):
    if not pMemory or not call.emulator.heap.free(pMemory, call.name, WTSTypeClass, NumberOfEntries):
        raise WinFail(ERROR_INVALID_PARAMETER)
    return 1


# --- processes ----------------------------------------------------------------------------------------

# sdk-api wtsapi32/ns-wtsapi32-wts_process_info_exw: "UserTime: The amount of time, in milliseconds, the process
# has been running in user mode." Real hosts are reported to fill in NT's 100-ns process times instead; the
# server's "process_time_unit" ("ms" as documented, or "100ns") says which this host does.
_TIME_UNITS = {"ms": 1, "100ns": 10000}


def _process_row(process: dict, extended: bool, time_unit: str = "ms") -> dict:
    row = {"SessionId": process["session"], "ProcessId": process["pid"], "pProcessName": wstr(process["name"]),
           "pUserSid": sid_blob(process["sid"])}
    if extended:
        # The memory fields are DWORDs ("PagefileUsage: The page file usage of the process, in bytes."): a
        # value of 4 GiB or more arrives cut to its low 32 bits.
        scale = _TIME_UNITS[time_unit]
        row.update({"NumberOfThreads": process["threads"], "HandleCount": process["handles"],
                    "PagefileUsage": process["pagefile_usage"] & 0xFFFFFFFF,
                    "PeakPagefileUsage": process["peak_pagefile_usage"] & 0xFFFFFFFF,
                    "WorkingSetSize": process["working_set"] & 0xFFFFFFFF,
                    "PeakWorkingSetSize": process["peak_working_set"] & 0xFFFFFFFF,
                    "UserTime": process["user_time"] * scale, "KernelTime": process["kernel_time"] * scale})
    return row


def _processes(server: dict) -> list:
    return sorted(server["processes"], key=lambda p: p["pid"])


@export("wtsapi32", DWORD, ("hServer", HANDLE), ("Reserved", DWORD), ("Version", DWORD),
        ("ppProcessInfo", PPVOID(WTS_PROCESS_INFOW)), ("pCount", LPDWORD))
def WTSEnumerateProcessesW(call, hServer, Reserved, Version, ppProcessInfo, pCount):
    _key, server = call.server(hServer)
    if Reserved != 0 or Version != 1:
        raise WinFail(ERROR_INVALID_PARAMETER)
    rows = [_process_row(p, extended=False) for p in _processes(server)]
    _return_array(call, WTS_PROCESS_INFOW, rows, ppProcessInfo, pCount, "WTSFreeMemory")
    return 1


@export("wtsapi32", DWORD, ("hServer", HANDLE), ("pLevel", LPDWORD), ("SessionId", DWORD), ("ppProcessInfo", PPVOID),
        ("pCount", LPDWORD))
def WTSEnumerateProcessesExW(call, hServer, pLevel, SessionId, ppProcessInfo, pCount):
    _key, server = call.server(hServer)
    level = read_u32(pLevel) if pLevel else None
    if level not in (0, 1):
        raise WinFail(ERROR_INVALID_PARAMETER)
    processes = _processes(server)
    if SessionId != WTS_ANY_SESSION:
        session_id = server["current_session_id"] if SessionId == WTS_CURRENT_SESSION else SessionId
        processes = [p for p in processes if p["session"] == session_id]
    struct_type = WTS_PROCESS_INFO_EXW if level == 1 else WTS_PROCESS_INFOW
    rows = [_process_row(p, level == 1, server.get("process_time_unit", "ms")) for p in processes]
    _return_array(call, struct_type, rows, ppProcessInfo, pCount, "WTSFreeMemoryExW",
                  WTS_TYPE_PROCESS_INFO_LEVEL1 if level == 1 else WTS_TYPE_PROCESS_INFO_LEVEL0)
    return 1


@export("wtsapi32", DWORD, ("hServer", HANDLE), ("ProcessId", DWORD), ("ExitCode", DWORD), mutating=True)
def WTSTerminateProcess(call, hServer, ProcessId, ExitCode):
    _key, server = call.server(hServer)
    process = st.find_process(server, ProcessId)
    if process is None:
        raise WinFail(ERROR_INVALID_PARAMETER)
    server["processes"].remove(process)
    if process["critical"]:
        server["reachable"] = False
        server["crashed"] = "CRITICAL_PROCESS_DIED: %s (%d) was terminated" % (process["name"], process["pid"])
    return 1


# --- disconnect, logoff, shutdown ---------------------------------------------------------------------

@export("wtsapi32", DWORD, ("hServer", HANDLE), ("SessionId", DWORD), ("bWait", DWORD), mutating=True)
def WTSDisconnectSession(call, hServer, SessionId, bWait):
    _key, server = call.server(hServer)
    session = _session(call, server, SessionId, ERROR_CTX_WINSTATION_NOT_FOUND)
    if _is_protected(session):
        raise WinFail(ERROR_ACCESS_DENIED)
    if session["state"] != "disconnected":
        session.update(state="disconnected", station="",
                       disconnect_time=st.format_time(call.server_now(server)))
    return 1


@export("wtsapi32", DWORD, ("hServer", HANDLE), ("SessionId", DWORD), ("bWait", DWORD), mutating=True)
def WTSLogoffSession(call, hServer, SessionId, bWait):
    key, server = call.server(hServer)
    session = _session(call, server, SessionId, ERROR_CTX_WINSTATION_NOT_FOUND)
    if _is_protected(session):
        raise WinFail(ERROR_ACCESS_DENIED)
    if session.get("logoff_at") is None:
        session["logoff_at"] = time.time() + server["logoff_delay_seconds"]
        call.emulator.watch(key)
    if bWait:
        call.wait_until(lambda state: st.find_session(state["servers"][key], session["id"]) is None, None)
    return 1


@export("wtsapi32", DWORD, ("hServer", HANDLE), ("ShutdownFlag", DWORD), mutating=True)
def WTSShutdownSystem(call, hServer, ShutdownFlag):
    key, server = call.server(hServer)
    if ShutdownFlag not in SHUTDOWN_FLAGS:
        raise WinFail(ERROR_INVALID_PARAMETER)
    action = SHUTDOWN_FLAGS[ShutdownFlag]
    # sdk-api wtsapi32/nf-wtsapi32-wtsshutdownsystem: "To shut down or restart the system, the calling process
    # must have the SE_SHUTDOWN_NAME privilege enabled." Checked against this process's token for this machine
    # (WTS_CURRENT_SERVER_HANDLE); WTS_WSD_LOGOFF shuts nothing down. The page is silent on a server reached
    # over RPC, where the server checks its own rights for the connecting account: not this token.
    if not hServer and action != "logoff" and "SeShutdownPrivilege" not in call.state.get("enabled_privileges", []):
        raise WinFail(ERROR_PRIVILEGE_NOT_HELD)
    if action == "logoff":
        for session in list(server["sessions"]):
            if session["user"] and not _is_protected(session) and session["id"] != server["current_session_id"]:
                st.remove_session(server, session["id"])
    else:
        server["reachable"] = False
        if action in ("reboot", "fastreboot") and server["reboot_seconds"] is not None:
            server["back_at"] = time.time() + server["reboot_seconds"]
            call.emulator.watch(key)
    server["shutdown"] = {"flag": action, "at": st.format_time(call.server_now(server))}
    return 1


# --- messages -----------------------------------------------------------------------------------------

def _counted_text(call, parameter: str, address: int, length: int) -> str:
    """The text Windows shows for a (pointer, byte length) pair; a length that is not the string's byte
    length (with or without its NUL) is recorded as misuse: it is how character counts show up."""
    if not address:
        return ""
    text = read_wstr(address)
    size = len(text.encode("utf-16-le", "surrogatepass"))
    if length % 2 or length not in (size, size + 2):
        call.misuse("%s length %d does not match the %d-byte UTF-16 string %r: lengths are in bytes, "
                    "not characters" % (parameter, length, size, text))
    shown = ctypes.string_at(address, min(length, size) & ~1)
    return shown.decode("utf-16-le", "replace")


@export("wtsapi32", DWORD, ("hServer", HANDLE), ("SessionId", DWORD), ("pTitle", LPWSTR), ("TitleLength", DWORD),
        ("pMessage", LPWSTR), ("MessageLength", DWORD), ("Style", DWORD), ("Timeout", DWORD),
        ("pResponse", LPDWORD), ("bWait", DWORD), mutating=True)
def WTSSendMessageW(call, hServer, SessionId, pTitle, TitleLength, pMessage, MessageLength, Style, Timeout,
                    pResponse, bWait):
    _key, server = call.server(hServer)
    session = _session(call, server, SessionId, ERROR_CTX_WINSTATION_NOT_FOUND)
    title = _counted_text(call, "TitleLength", pTitle, TitleLength)
    text = _counted_text(call, "MessageLength", pMessage, MessageLength)
    answer = session["message_response"]
    answer = RESPONSES[answer.lower()] if isinstance(answer, str) else answer
    delay = session["message_delay_seconds"]
    if not bWait:
        response, wait = IDASYNC, 0
    elif answer is None or (Timeout and delay >= Timeout):
        response, wait = IDTIMEOUT, Timeout
        if not Timeout:
            call.misuse("session %d never answers and Timeout is 0: Windows would wait forever" % session["id"])
    else:
        response, wait = answer, delay
    # The record is for tests only: "wall" is when the box was shown and "returned_wall" when this call
    # returns (after the emulated user's delay), both on this machine's clock, so that a test can tell
    # overlapping waits from successive ones by their order, without measuring durations.
    shown = time.time()
    session["messages"].append({"title": title, "text": text, "style": Style, "timeout": Timeout,
                                "wait": bool(bWait), "response": response,
                                "time": st.format_time(call.server_now(server)),
                                "wall": shown, "returned_wall": shown + wait})
    call.mutation["args"].update(title=title, text=text)
    call.sleep(wait)
    write_u32(pResponse, response)
    return 1


# --- WTSWaitSystemEvent -------------------------------------------------------------------------------

@export("wtsapi32", DWORD, ("hServer", HANDLE), ("EventMask", DWORD), ("pEventFlags", LPDWORD), changes_state=True)
def WTSWaitSystemEvent(call, hServer, EventMask, pEventFlags):
    # MS-TSTS 3.7.4.1.15 RpcWinStationWaitSystemEvent: "Only one event wait at a time can be posted per server
    # handle. If an event wait is already outstanding and the new request is not a cancel, the new request
    # will fail." WEVENT_NONE (0): "The client requests to clear its event wait block. This MUST be called when
    # completing waiting for the event. When RpcWinStationCloseServer is called for hServer, this method and
    # mask value is called on the client's behalf." The spec names no error code for the refused wait.
    key, server = call.server(hServer)
    if EventMask & WTS_EVENT_FLUSH:
        call.emulator.flush_waits(hServer)
        write_u32(pEventFlags, 0)
        return 1
    if EventMask == WTS_EVENT_NONE:
        call.emulator.event_block(hServer, clear=True)
        write_u32(pEventFlags, 0)
        return 1
    if not call.emulator.event_block(hServer, wait=True):
        raise WinFail(ERROR_INVALID_PARAMETER)
    try:
        return _wait_for_events(call, key, server, hServer, EventMask, pEventFlags)
    finally:
        call.emulator.event_block(hServer, wait=False)


def _wait_for_events(call, key, server, hServer, EventMask, pEventFlags):
    if server["events"] and server["events"][0].get("due_at") is None:
        server["events"][0]["due_at"] = time.time() + server["events"][0].get("delay_seconds", 0)
    since = server["event_serial"]
    flushes = call.emulator.flush_count(hServer)
    seen = []

    def ready(state):
        fired = state["servers"][key]["fired_events"]
        seen[:] = [event["flags"] for event in fired if event["serial"] > since and event["flags"] & EventMask]
        return bool(seen) or call.emulator.flush_count(hServer) != flushes

    call.wait_until(ready, None)
    flags = 0
    for value in seen:
        flags |= value
    write_u32(pEventFlags, flags)
    return 1


# --- virtual channels ---------------------------------------------------------------------------------

def _open_channel(call, session_id: int, name: str, dynamic: bool) -> int:
    key, server = call.server(0)
    if name is None or (not dynamic and (len(name) > 7 or not name.isascii())):
        raise WinFail(ERROR_INVALID_PARAMETER)
    session = _session(call, server, session_id, ERROR_CTX_WINSTATION_NOT_FOUND)
    for channel_name, channel in session["channels"].items():
        same = channel_name == name if dynamic else channel_name.lower() == name.lower()
        if same and bool(channel.get("dynamic")) == dynamic:
            if channel.get("held_by"):
                # WTSVirtualChannelOpen, Remarks: "If you try to use this function to open the same virtual
                # channel multiple times, it can cause a 10-second delay and disrupt the established channel."
                # (WTSVirtualChannelOpenEx: with flags zero "it behaves the same as WTSVirtualChannelOpen".)
                # The delay is not modelled (no test waits on time); the disruption is reported as misuse.
                call.emulator.report("opened static channel %s of session %d, which %s already holds: Windows "
                                     "documents a 10-second delay and a disrupted channel for this"
                                     % (channel_name, session["id"], channel["held_by"]))
            return call.emulator.new_handle("channel", call.name, key, session_id=session["id"],
                                            channel=channel_name).value
    raise WinFail(ERROR_NOT_FOUND)


@export("wtsapi32", HANDLE, ("hServer", HANDLE), ("SessionId", DWORD), ("pVirtualName", LPSTR))
def WTSVirtualChannelOpen(call, hServer, SessionId, pVirtualName):
    if hServer:
        raise WinFail(ERROR_INVALID_PARAMETER)
    return _open_channel(call, SessionId, read_astr(pVirtualName), dynamic=False)


@export("wtsapi32", HANDLE, ("SessionId", DWORD), ("pVirtualName", LPSTR), ("flags", DWORD))
def WTSVirtualChannelOpenEx(call, SessionId, pVirtualName, flags):
    return _open_channel(call, SessionId, read_astr(pVirtualName), dynamic=bool(flags & WTS_CHANNEL_OPTION_DYNAMIC))


def _channel(call, handle: int):
    """(handle entry, function giving the channel's state dict in a given state, or None if it is gone)."""
    entry = call.emulator.handle(handle, "channel", call)

    def channel(state):
        session = st.find_session(state["servers"][entry.server], entry.session_id)
        return None if session is None else session["channels"].get(entry.channel)

    return entry, channel


def _live_channel(channel_of, state) -> dict:
    channel = channel_of(state)
    if channel is None:
        raise WinFail(ERROR_GEN_FAILURE)
    channel.setdefault("inbox", [])
    channel.setdefault("written", [])
    return channel


@export("wtsapi32", DWORD, ("hChannelHandle", HANDLE), ("Buffer", PVOID), ("Length", DWORD), ("pBytesWritten", LPDWORD),
        mutating=True)
def WTSVirtualChannelWrite(call, hChannelHandle, Buffer, Length, pBytesWritten):
    _entry, channel_of = _channel(call, hChannelHandle)
    channel = _live_channel(channel_of, call.state)
    chunk = base64.b64encode(ctypes.string_at(Buffer, Length)).decode("ascii")
    channel["written"].append(chunk)
    if channel.get("mode") == "echo":
        channel["inbox"].append(chunk)
    write_u32(pBytesWritten, Length)
    return 1


def _next_chunk(channel: dict) -> tuple:
    """(bytes the next WTSVirtualChannelRead returns, whether they end the client's write). The inbox holds
    whole client writes; "read_offset" counts the bytes of the first one already read.

    WTSVirtualChannelRead, Buffer: "The maximum amount of data that the server can receive in a single
    WTSVirtualChannelRead call is CHANNEL_CHUNK_LENGTH bytes. If the client's VirtualChannelWrite call writes a
    larger block of data, the server must make multiple WTSVirtualChannelRead calls." The same page: "Remote
    Desktop Services places a CHANNEL_PDU_HEADER structure at the beginning of each chunk of data read ... if
    the client DLL sets the CHANNEL_OPTION_SHOW_PROTOCOL option ... This will also occur if the channel is a
    dynamic virtual channel written to by using the IWTSVirtualChannel::Write method. Otherwise, the buffer
    receives only the data written" (so a static channel gets the header only with "show_protocol").
    CHANNEL_PDU_HEADER: "length: Size, in bytes, of the data block, excluding this header"; flags
    CHANNEL_FLAG_FIRST "The chunk is the beginning of the data written by a single write operation",
    CHANNEL_FLAG_LAST "The chunk is the end of" it. The SDK does not say the chunk size of a dynamic channel:
    modelled as CHANNEL_CHUNK_LENGTH, the per-call maximum above."""
    message = base64.b64decode(channel["inbox"][0])
    offset = channel.get("read_offset", 0)
    data = message[offset:offset + CHANNEL_CHUNK_LENGTH]
    last = offset + len(data) >= len(message)
    if channel.get("dynamic") or channel.get("show_protocol"):
        flags = (CHANNEL_FLAG_FIRST if offset == 0 else 0) | (CHANNEL_FLAG_LAST if last else 0)
        data = struct.pack("<II", len(message), flags) + data
    return data, last


@export("wtsapi32", DWORD, ("hChannelHandle", HANDLE), ("TimeOut", DWORD), ("Buffer", PVOID), ("BufferSize", DWORD),
        ("pBytesRead", LPDWORD), changes_state=True)
def WTSVirtualChannelRead(call, hChannelHandle, TimeOut, Buffer, BufferSize, pBytesRead):
    _entry, channel_of = _channel(call, hChannelHandle)
    timeout = None if TimeOut == INFINITE else TimeOut / 1000.0
    if not call.wait_until(lambda state: bool(_live_channel(channel_of, state)["inbox"]), timeout):
        raise WinFail(ERROR_IO_INCOMPLETE)
    channel = _live_channel(channel_of, call.state)
    chunk, last = _next_chunk(channel)
    # BufferSize: "should be at least CHANNEL_PDU_LENGTH" (with a header), "CHANNEL_CHUNK_LENGTH" otherwise; the
    # SDK is silent on a smaller one: modelled as ERROR_INSUFFICIENT_BUFFER, nothing consumed.
    if len(chunk) > BufferSize:
        raise WinFail(ERROR_INSUFFICIENT_BUFFER)
    if last:
        channel["inbox"].pop(0)
        channel.pop("read_offset", None)
    else:
        channel["read_offset"] = channel.get("read_offset", 0) + CHANNEL_CHUNK_LENGTH
    write_bytes(Buffer, chunk)
    write_u32(pBytesRead, len(chunk))
    return 1


@export("wtsapi32", DWORD, ("hChannelHandle", HANDLE), changes_state=True)
def WTSVirtualChannelPurgeInput(call, hChannelHandle):
    _entry, channel_of = _channel(call, hChannelHandle)
    channel = _live_channel(channel_of, call.state)
    channel["inbox"] = []
    channel.pop("read_offset", None)
    return 1


@export("wtsapi32", DWORD, ("hChannelHandle", HANDLE), changes_state=True)  # _live_channel() adds the lists
def WTSVirtualChannelPurgeOutput(call, hChannelHandle):
    _entry, channel_of = _channel(call, hChannelHandle)
    _live_channel(channel_of, call.state)
    return 1


@export("wtsapi32", DWORD, ("hChannelHandle", HANDLE), ("WtsVirtualClass", DWORD), ("ppBuffer", PPVOID),
        ("pBytesReturned", LPDWORD), changes_state=True)  # _live_channel() adds the lists
def WTSVirtualChannelQuery(call, hChannelHandle, WtsVirtualClass, ppBuffer, pBytesReturned):
    entry, channel_of = _channel(call, hChannelHandle)
    channel = _live_channel(channel_of, call.state)
    if WtsVirtualClass == 0:
        data = base64.b64decode(channel.get("client_data", ""))
    elif WtsVirtualClass == 1:
        file_handle = call.emulator.new_handle("file", call.name, entry.server, must_close=False)
        entry.file_handle = file_handle
        data = file_handle.value.to_bytes(8, "little")
    else:
        raise WinFail(ERROR_INVALID_PARAMETER)
    write_ptr(ppBuffer, call.emulator.heap.allocate(data, "WTSFreeMemory", call.name))
    write_u32(pBytesReturned, len(data))
    return 1


@export("wtsapi32", DWORD, ("hChannelHandle", HANDLE))
def WTSVirtualChannelClose(call, hChannelHandle):
    entry = call.emulator.close_handle(hChannelHandle, "channel", call)
    if getattr(entry, "file_handle", None) is not None:
        entry.file_handle.closed = True
    return 1
