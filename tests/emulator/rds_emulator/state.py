"""The emulated host as plain JSON-able data: defaults, lookups, clocks and persistence."""

from __future__ import annotations

import contextlib
import copy
import datetime
import fcntl
import json
import os
import tempfile
import uuid

SESSION_STATES = ["active", "connected", "connect_query", "shadow", "disconnected", "idle", "listen", "reset",
                  "down", "init"]
PROTOCOLS = ["console", "ica", "rdp"]
LISTENER_ID = 65536
# The registry keys of the logon mode (logons.py says what they mean and where that is documented).
TERMINAL_SERVER_KEY = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server"
WINLOGON_KEY = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"
POLICY_KEY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services"
REG_SZ, REG_DWORD = 1, 4

TOP_DEFAULTS = {
    "local_server": "RDSH01", "current_process_id": 4242, "now": None, "servers": {}, "accounts": {},
    "browser": None, "hidden_exports": [], "faults": [], "calls": {}, "mutating_calls": [], "misuse": [],
    "administrator": True, "token": {"user": None, "owner": None}, "files": {},
}
BROWSER_DEFAULTS = {"available": True, "more_data": False, "primary_domain": "CONTOSO", "entries": []}
SERVER_DEFAULTS = {
    "reachable": True, "aliases": [], "domain": "CONTOSO", "os_version": "10.0", "clock_offset_seconds": 0,
    "console_session_id": 1, "current_session_id": 0, "logoff_delay_seconds": 0.3, "shutdown": None,
    "sessions": [], "processes": [], "events": [], "fired_events": [], "event_serial": 0,
    "registry": {TERMINAL_SERVER_KEY: {"TSServerDrainMode": {"type": REG_DWORD, "data": 0}},
                 WINLOGON_KEY: {"WinStationsDisabled": {"type": REG_SZ, "data": "0"}}},
    "remote_registry": True, "reboot_seconds": None, "back_at": None, "boots": 0, "refused_logons": [],
    "disconnected_protocol": "kept", "addresses": None,
}
SESSION_DEFAULTS = {
    "station": "", "state": "active", "user": "", "domain": "", "farm": "", "client_name": "",
    "client_address": None, "client_build": 0, "client_directory": "", "client_product_id": 0,
    "client_hardware_id": 0, "client_display": {"width": 0, "height": 0, "color_depth": 0}, "protocol": "rdp",
    "encryption_level": 0, "logon_time": None, "connect_time": None, "disconnect_time": None,
    "last_input_time": None, "locked": None, "initial_program": "", "application_name": "",
    "working_directory": "", "incoming_bytes": 0, "outgoing_bytes": 0, "incoming_frames": 0, "outgoing_frames": 0,
    "incoming_compressed_bytes": 0, "outgoing_compressed_bytes": 0, "virtual_ip": None, "config": {},
    "message_response": "ok", "message_delay_seconds": 0.0, "messages": [], "channels": {},
}
PROCESS_DEFAULTS = {
    "session": 0, "sid": None, "parent_pid": 0, "critical": False, "threads": 1, "handles": 0,
    "pagefile_usage": 0, "peak_pagefile_usage": 0, "working_set": 0, "peak_working_set": 0,
    "user_time": 0, "kernel_time": 0, "path": None, "access_denied": False,
}


def with_defaults(obj: dict, defaults: dict) -> None:
    for key, value in defaults.items():
        if key not in obj:  # copy a default only where it is used: states of thousands of sessions stay cheap
            obj[key] = copy.deepcopy(value)


def normalize(state: dict) -> dict:
    """Fill in every default, in place, so code can index fields directly."""
    with_defaults(state, TOP_DEFAULTS)
    if state["browser"] is None:
        state["browser"] = {}
    with_defaults(state["browser"], BROWSER_DEFAULTS)
    for server in state["servers"].values():
        with_defaults(server, SERVER_DEFAULTS)
        for session in server["sessions"]:
            with_defaults(session, SESSION_DEFAULTS)
        for process in server["processes"]:
            with_defaults(process, PROCESS_DEFAULTS)
    return state


# --- lookups --------------------------------------------------------------------------------------

# Lookups by name or id go through indexes, so that one emulated call costs the same on a farm of 10 sessions
# as on one of 10,000. An index belongs to one list or dict object and is rebuilt when its length changes;
# clear_indexes() drops them all, and the Emulator calls it whenever code outside the emulated calls may have
# changed the state in place (Emulator.state, Emulator.edit(), a state read from the file).
_INDEXES = {}
_MAX_INDEXES = 4096


def clear_indexes() -> None:
    _INDEXES.clear()


def _index(container, build):
    entry = _INDEXES.get(id(container))
    if entry is None or entry[0] is not container or entry[1] != len(container):
        if len(_INDEXES) >= _MAX_INDEXES:
            _INDEXES.clear()
        entry = _INDEXES[id(container)] = (container, len(container), build(container))
    return entry[2]


def _names(servers: dict) -> dict:
    names = {}
    for key, server in servers.items():  # the first server that has the name, as its key or an alias
        names.setdefault(key.lower(), key)
        for alias in server["aliases"]:
            names.setdefault(alias.lower(), key)
    return names


def _positions(items: list, field: str) -> dict:
    positions = {}
    for position, item in enumerate(items):
        positions.setdefault(item[field], position)
    return positions


def server_key(state: dict, name):
    """The key in state["servers"] a name reaches (NULL/empty/localhost = the local server), or None."""
    if not name or name.lower() in ("localhost", ".", "127.0.0.1", "::1"):
        name = state["local_server"]
    return _index(state["servers"], _names).get(name.lower().lstrip("\\"))


def _find(items: list, field: str, value):
    position = _index(items, lambda found: _positions(found, field)).get(value)
    if position is None:
        return None
    item = items[position]
    return item if item[field] == value else None


def find_session(server: dict, session_id: int):
    return _find(server["sessions"], "id", session_id)


def find_process(server: dict, pid: int):
    return _find(server["processes"], "pid", pid)


def remove_session(server: dict, session_id: int) -> None:
    server["sessions"] = [s for s in server["sessions"] if s["id"] != session_id]
    server["processes"] = [p for p in server["processes"] if p["session"] != session_id]


# --- clocks ---------------------------------------------------------------------------------------

EPOCH_AS_FILETIME = 116444736000000000


def parse_time(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def format_time(moment) -> str:
    return parse_time(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def filetime(value) -> int:
    """FILETIME (100 ns since 1601) of an ISO time or datetime; 0 for None, as Windows reports unset times."""
    moment = parse_time(value)
    if moment is None:
        return 0
    return EPOCH_AS_FILETIME + int(round(moment.timestamp() * 10_000_000))


def controller_now(state: dict) -> datetime.datetime:
    return parse_time(state["now"]) or datetime.datetime.now(datetime.timezone.utc)


def server_now(state: dict, server: dict) -> datetime.datetime:
    return controller_now(state) + datetime.timedelta(seconds=server["clock_offset_seconds"])


# --- persistence ----------------------------------------------------------------------------------
#
# A state file PATH comes with PATH.lock (the lock every process takes; it also holds the generation: a token
# that changes on every save, so a process that saved or read the state last can keep it parsed in memory) and
# PATH.calls (the journal: one JSON line per call that changed nothing but the call counters, so that such a
# call appends one line instead of rewriting the whole state). The journal is folded into the state at every
# save; load() folds it in too, so readers always see every call.

def load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        state = normalize(json.load(handle))
    fold_journal(state, read_journal(path, 0)[0])
    return state


def save(path: str, state: dict, lock=None) -> None:
    """Write the whole state (its journal lines must be folded in already), empty the journal, and give the
    state a new generation (``lock``: the handle file_lock() gave, None when called under no lock of ours)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".rds-emulator-", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=1)
    os.replace(temp, path)
    with open(path + ".calls", "w", encoding="utf-8"):
        pass
    if lock is not None:
        lock.seek(0)
        lock.truncate()
        lock.write(uuid.uuid4().hex)
        lock.flush()


def generation(path: str, lock) -> tuple:
    """What identifies the saved state: the token in the lock file and the state file's identity, size and time
    (the latter catch a state file written by something other than save())."""
    lock.seek(0)
    info = os.stat(path)
    return lock.read(), info.st_ino, info.st_size, info.st_mtime_ns


def journal(path: str, entry: dict) -> int:
    """Append one call's ``entry`` to the journal; returns the journal's size after it."""
    with open(path + ".calls", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
        return handle.tell()


def read_journal(path: str, offset: int) -> tuple:
    """The journal's entries from byte ``offset`` on, and its size."""
    try:
        with open(path + ".calls", encoding="utf-8") as handle:
            handle.seek(offset)
            text = handle.read()
            return [json.loads(line) for line in text.splitlines() if line], handle.tell()
    except FileNotFoundError:
        return [], 0


def journal_size(path: str) -> int:
    try:
        return os.path.getsize(path + ".calls")
    except FileNotFoundError:
        return 0


def fold_journal(state: dict, entries: list) -> None:
    for entry in entries:
        count_call(state, entry["function"], entry.get("mutation"))


def count_call(state: dict, function: str, mutation) -> None:
    state["calls"][function] = state["calls"].get(function, 0) + 1
    if mutation is not None:
        state["mutating_calls"].append(mutation)


@contextlib.contextmanager
def file_lock(path: str):
    """An exclusive lock shared by every process using the state file; yields the lock file's handle."""
    with open(path + ".lock", "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
