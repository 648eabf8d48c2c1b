"""The Emulator: one emulated host (in memory or in a shared JSON file) and this process's view of it."""

from __future__ import annotations

import collections
import contextlib
import copy
import datetime
import itertools
import json
import os
import threading
import time

from . import logons, security
from . import state as st
from .dll import set_system_last_error
from .errors import ERROR_INVALID_HANDLE, ERROR_RPC_S_SERVER_UNAVAILABLE, WinFail
from .memory import Heap, read_wstr

EVENT_FLAGS = {"create": 0x1, "delete": 0x2, "rename": 0x4, "connect": 0x8, "disconnect": 0x10, "logon": 0x20,
               "logoff": 0x40, "statechange": 0x80, "license": 0x100}
POLL_SECONDS = 0.02
_NO_SERVER = object()  # a call made without a server handle: not counted as in flight on any server


def event_mask(flags) -> int:
    if isinstance(flags, int):
        return flags
    return sum(EVENT_FLAGS[name.lower()] for name in flags)


class Handle:
    """A handle this process got from the emulated API."""

    def __init__(self, kind: str, value: int, origin: str, server: str, **details):
        self.kind = kind
        self.value = value
        self.origin = origin
        self.server = server
        self.closed = False
        self.must_close = True
        self.calls = 0  # calls made with this handle (server handles: see Emulator.handle_calls)
        self.__dict__.update(details)

    def describe(self) -> str:
        target = " to %s" % self.server if self.server else ""
        return "%s handle 0x%x%s from %s" % (self.kind, self.value, target, self.origin)


class Transaction:
    """Exclusive access to the state: the process lock, plus the file lock in file mode.

    ``write``: the state is saved at close() (always for edit(); for an emulated call, when it changed more
    than the call counters). An emulated call costs the same whatever the size of the farm: the state is kept
    parsed between calls (re-read only when another process saved it), a call that changes nothing but the
    counters appends one journal line instead of saving the state (state.py, "persistence"), and lookups go
    through indexes.
    """

    def __init__(self, emulator, write=True):
        self._emulator = emulator
        self.write = write
        self.counted = []  # (function, mutation) of the calls counted in this transaction
        self.state = None

    def open(self) -> dict:
        emulator = self._emulator
        emulator._lock.acquire()
        try:
            if emulator.path:
                self._file_lock = st.file_lock(emulator.path)
                self._lock_file = self._file_lock.__enter__()
                self.state = emulator._file_state(self._lock_file)
            else:
                self.state = emulator._memory_state()
            if emulator._settle(self.state):
                self.write = True
        except BaseException:
            self._release()
            raise
        return self.state

    def close(self) -> None:
        emulator = self._emulator
        try:
            if emulator.path:
                if self.write:
                    st.save(emulator.path, self.state, self._lock_file)
                    emulator._cached_at = st.generation(emulator.path, self._lock_file), 0
                else:
                    for function, mutation in self.counted:
                        size = st.journal(emulator.path, {"function": function, "mutation": mutation})
                    emulator._cached_at = emulator._cached_at[0], size if self.counted else emulator._cached_at[1]
        except BaseException:
            emulator._cached = None  # what is in memory may not be what is in the file
            raise
        finally:
            self.counted = []
            self._release()

    def _release(self) -> None:
        try:
            if self._emulator.path and getattr(self, "_file_lock", None) is not None:
                self._file_lock.__exit__(None, None, None)
                self._file_lock = None
        finally:
            self._emulator._lock.release()

    @contextlib.contextmanager
    def released(self):
        """Let other threads and processes in (while sleeping); the state is re-read afterwards."""
        self.close()
        try:
            yield
        finally:
            self.open()


class Call:
    """One call of an export: its arguments, the state it works on, and helpers every export shares."""

    def __init__(self, emulator, spec, transaction: Transaction, args: dict):
        self.emulator = emulator
        self.spec = spec
        self.name = spec.name
        self.transaction = transaction
        self.args = args
        self.poison = None
        self.mutation = None

    @property
    def state(self) -> dict:
        return self.transaction.state

    def misuse(self, message: str) -> None:
        self.emulator.report("%s: %s" % (self.name, message))

    def server(self, handle: int):
        """(key, server dict) a server handle refers to; fails like Windows for bad/unreachable ones."""
        if not handle:
            key = self.state["local_server"]
        else:
            entry = self.emulator.handle(handle, "server", self)
            if entry.poisoned:
                raise WinFail(entry.poisoned)
            key = st.server_key(self.state, entry.server)
        if key is None or key not in self.state["servers"] or not self.state["servers"][key]["reachable"]:
            raise WinFail(ERROR_RPC_S_SERVER_UNAVAILABLE)
        return key, self.state["servers"][key]

    def server_now(self, server: dict) -> datetime.datetime:
        return st.server_now(self.state, server)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            with self.transaction.released():
                time.sleep(seconds)

    def wait_until(self, ready, timeout) -> bool:
        """Poll ready(state) (transaction held) until true or timeout seconds (None = forever) pass."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not ready(self.state):
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            self.sleep(POLL_SECONDS if remaining is None else min(POLL_SECONDS, remaining))
        return True


class Emulator:
    """An installed emulated host. See README.md for the API and the state schema."""

    _handle_values = itertools.count(0x5E0)

    def __init__(self, source):
        self._lock = threading.RLock()
        self._misuse_lock = threading.Lock()
        self._misuse = []
        self._handles = {}
        self._flushes = collections.Counter()
        self._flushed = threading.Condition()
        # Calls in flight per server handle's server, the most there were at once, and gates (see gate_calls).
        self._overlap = threading.Condition()
        self._in_flight = collections.Counter()
        self._max_in_flight = collections.Counter()
        self._gates = {}
        self._latency = {}
        self.heap = Heap(self.report)
        self._cached = None  # file mode: the state as parsed or saved last by this process ...
        self._cached_at = None  # ... and (generation, journal size) it was at
        self._normalized = False  # memory mode: defaults filled in since code outside the calls last got the state
        self._watch = set()  # servers with scripted events or pending logoffs (see _settle)
        self._check_writes = bool(os.environ.get("RDS_EMULATOR_CHECK_WRITES"))
        if isinstance(source, dict):
            self.path = None
            self._memory = source
        else:
            self.path = os.fspath(source)
            self._memory = None
            if not os.path.exists(self.path):
                raise FileNotFoundError("emulator state file %s does not exist" % self.path)

    # --- state access -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def edit(self):
        transaction = Transaction(self)
        state = transaction.open()
        try:
            yield state
        finally:
            self._normalized = False  # the caller may have added sessions without their defaults
            transaction.close()

    @property
    def state(self) -> dict:
        """Memory mode: the live state. File mode: a fresh read-only copy."""
        transaction = Transaction(self, write=False)
        state = transaction.open()
        transaction.close()
        if self.path:
            return copy.deepcopy(state)
        self._normalized = False  # the caller may change the live state in place
        return state

    def replace_state(self, new_state: dict) -> None:
        with self._lock:
            if self.path is None:
                self._memory = new_state
                self._normalized = False
            else:
                with st.file_lock(self.path) as lock:
                    st.save(self.path, st.normalize(copy.deepcopy(new_state)), lock)

    def _memory_state(self) -> dict:
        if not self._normalized:
            st.normalize(self._memory)
            self._reindex(self._memory)
            self._normalized = True
        return self._memory

    def _file_state(self, lock) -> dict:
        """The state in the file (the lock held): parsed again only when another process saved it since."""
        saved = st.generation(self.path, lock)
        if self._cached is not None and self._cached_at[0] == saved:
            size = st.journal_size(self.path)
            if size != self._cached_at[1]:  # other processes' calls that changed only the counters
                entries, size = st.read_journal(self.path, self._cached_at[1])
                st.fold_journal(self._cached, entries)
                self._cached_at = saved, size
            return self._cached
        self._cached = st.load(self.path)
        self._cached_at = saved, st.journal_size(self.path)
        self._reindex(self._cached)
        return self._cached

    def _reindex(self, state: dict) -> None:
        st.clear_indexes()
        self._watch = {key for key, server in state["servers"].items()
                       if server["events"] or server["back_at"] is not None
                       or any(s.get("logoff_at") is not None for s in server["sessions"])}

    def watch(self, server_key: str) -> None:
        """Have _settle look at this server (it has a pending reboot or logoff, or a scripted event)."""
        self._watch.add(server_key)

    @property
    def calls(self) -> collections.Counter:
        return collections.Counter(self.state["calls"])

    @property
    def mutating_calls(self) -> list:
        return list(self.state["mutating_calls"])

    def reset_counters(self) -> None:
        with self.edit() as state:
            state["calls"] = {}
            state["mutating_calls"] = []
        with self._overlap:
            self._max_in_flight.clear()

    def session(self, server: str, session_id: int):
        state = self.state
        key = st.server_key(state, server)
        return None if key is None else st.find_session(state["servers"][key], session_id)

    def process(self, server: str, pid: int):
        state = self.state
        key = st.server_key(state, server)
        return None if key is None else st.find_process(state["servers"][key], pid)

    # --- clocks -------------------------------------------------------------------------------------

    def set_now(self, value) -> None:
        with self.edit() as state:
            state["now"] = None if value is None else st.format_time(value)

    def advance(self, seconds: float) -> None:
        with self.edit() as state:
            if state["now"] is None:
                raise ValueError("advance() needs a frozen clock: call set_now() first")
            state["now"] = st.format_time(st.parse_time(state["now"]) + datetime.timedelta(seconds=seconds))

    def server_now(self, server: str) -> datetime.datetime:
        state = self.state
        return st.server_now(state, state["servers"][st.server_key(state, server)])

    # --- faults -------------------------------------------------------------------------------------

    def inject(self, function: str, error: int, times=1, server=None, session_id=None, pid=None,
               poison_handle=False, args=None) -> None:
        with self.edit() as state:
            state["faults"].append({"function": function, "error": error, "times": times, "server": server,
                                    "session_id": session_id, "pid": pid, "poison_handle": poison_handle,
                                    "args": args})

    def _take_fault(self, state: dict, spec, args: dict):
        server = self._server_of_call(state, args)
        for fault in state["faults"]:
            if fault.get("function") not in (spec.name, "*"):
                continue
            if fault.get("server") is not None and (server or "").lower() != fault["server"].lower():
                continue
            if fault.get("session_id") is not None and args.get("SessionId") != fault["session_id"]:
                continue
            if fault.get("pid") is not None and args.get("ProcessId") != fault["pid"]:
                continue
            if any(args.get(name) != value for name, value in (fault.get("args") or {}).items()):
                continue
            if fault.get("times") is not None:
                fault["times"] -= 1
                if fault["times"] <= 0:
                    state["faults"].remove(fault)
            return fault
        return None

    def _server_of_call(self, state: dict, args: dict):
        """The server a call addresses (for faults and the mutating-call log), or None."""
        for name in ("hServer", "hChannelHandle", "hKey"):
            if name in args:
                entry = self._handles.get(args[name]) if args[name] else None
                return state["local_server"] if entry is None else entry.server
        for name in ("pServerName", "servername", "lpSystemName", "lpMachineName"):
            if name in args:
                text = read_wstr(args[name])
                return st.server_key(state, text) or text
        return None

    # --- calls --------------------------------------------------------------------------------------

    def check_export_visible(self, spec, state=None) -> None:
        if state is None:
            transaction = Transaction(self, write=False)
            state = transaction.open()
            try:
                hidden = list(state["hidden_exports"])
            finally:
                transaction.close()
        else:
            hidden = state["hidden_exports"]
        if spec.name in hidden or "%s!%s" % (spec.dll, spec.name) in hidden:
            raise AttributeError("function '%s' not found" % spec.name)

    def invoke(self, spec, raw: tuple):
        """Run one emulated export with raw integer arguments; returns what the DLL function returns."""
        args = dict(zip(spec.param_names, raw))
        server = self._enter(spec, args)
        try:
            return self._invoke(spec, raw, args)
        finally:
            self._leave(server)

    # --- overlapping calls --------------------------------------------------------------------------
    # Every call holds the emulator's one lock while it works on the state, so calls made at once by several
    # threads are served one after another, in any order. What is counted here is the caller's view: a call is
    # in flight from the moment it is made until it returns (waiting for the lock included), per server handle.

    def _enter(self, spec, args: dict):
        """Count a call made with a server handle (hServer) as in flight on its server; hold it at a gate."""
        if "hServer" not in args or spec.name in ("WTSOpenServerW", "WTSOpenServerExW"):
            return _NO_SERVER
        value = args["hServer"]
        with self._overlap:
            entry = self._handles.get(value) if value else None
            if entry is not None:
                entry.calls += 1
            server = (entry.server.lower() if entry is not None and entry.server else None) if value else None
            self._in_flight[server] += 1
            self._max_in_flight[server] = max(self._max_in_flight[server], self._in_flight[server])
            self._overlap.notify_all()
            gate = self._gates.get(server)
            if gate is not None and not gate["open"] and gate["after"] > 0:
                gate["after"] -= 1
            elif gate is not None and not gate["open"]:
                if not self._overlap.wait_for(lambda: gate["open"] or self._in_flight[server] >= gate["count"],
                                              gate["timeout"]):
                    gate["timed_out"] = True
                gate["open"] = True
                self._overlap.notify_all()
            latency = self._latency.get(server) if value else None
        if latency:
            time.sleep(latency)  # the round trip, with no lock held: other calls go on meanwhile
        return server

    def _leave(self, server) -> None:
        if server is not _NO_SERVER:
            with self._overlap:
                self._in_flight[server] -= 1

    def gate_calls(self, server, count: int, after: int = 0, timeout: float = 10.0) -> None:
        """Let the next ``after`` calls made with handles to ``server`` (a name as opened; None:
        WTS_CURRENT_SERVER_HANDLE) through, then hold the calls until ``count`` of them are in flight at once, or
        ``timeout`` seconds passed; then let every call through for good. A test instrument: it makes an overlap
        the code promises certain to be seen, whatever the machine's load, without timing anything.
        ``gate_timed_out(server)`` tells whether the count was not reached."""
        with self._overlap:
            self._gates[server.lower() if server else None] = {"count": count, "after": after, "timeout": timeout,
                                                               "open": False, "timed_out": False}

    def set_latency(self, server, seconds: float) -> None:
        """Make every call with a handle that WTSOpenServer(Ex)W opened for ``server`` take ``seconds`` longer,
        with no lock held, before it is served: the RPC round trip to a remote server (the calls of this process
        only; 0 turns it off). For benchmarks, so that overlapping calls overlap as they would on a network."""
        with self._overlap:
            self._latency[server.lower()] = seconds

    def gate_timed_out(self, server) -> bool:
        with self._overlap:
            return self._gates[server.lower() if server else None]["timed_out"]

    def max_concurrent_calls(self, server=None) -> int:
        """The most calls that were in flight at once with handles to ``server`` (a name as opened; None:
        WTS_CURRENT_SERVER_HANDLE), in this process since install or reset_counters()."""
        with self._overlap:
            return self._max_in_flight[server.lower() if server else None]

    def handle_calls(self) -> list:
        """The server handles this process opened, in order: ``{"handle", "server", "opened_by", "calls",
        "closed"}``, ``calls`` counting every call made with the handle (WTSCloseServer included)."""
        with self._misuse_lock:
            entries = [entry for entry in self._handles.values() if entry.kind == "server"]
        return [{"handle": entry.value, "server": entry.server, "opened_by": entry.origin, "calls": entry.calls,
                 "closed": entry.closed} for entry in entries]

    def _invoke(self, spec, raw: tuple, args: dict):
        transaction = Transaction(self, write=spec.mutating or spec.changes_state)
        state = transaction.open()
        before = self._snapshot(state) if self._check_writes and not transaction.write else None
        error = None
        try:
            self.check_export_visible(spec, state)
            call = Call(self, spec, transaction, args)
            if spec.mutating:
                call.mutation = {"function": spec.name, "server": self._server_of_call(state, args),
                                 "args": {name: value for (name, kind), value in zip(spec.params, raw)
                                          if not kind.pointer}}
            st.count_call(state, spec.name, call.mutation)
            transaction.counted.append((spec.name, call.mutation))
            try:
                fault = self._take_fault(state, spec, args) if state["faults"] else None
                if fault:
                    transaction.write = True  # the fault's count went down, or it is gone
                if fault and fault.get("poison_handle"):
                    call.poison = fault["error"]
                elif fault:
                    raise WinFail(fault["error"])
                result = spec.impl(call, *raw)
            except WinFail as failure:
                error = failure.code
                result = spec.failure(failure.code)
        finally:
            if before is not None and not transaction.write and self._snapshot(transaction.state) != before:
                self.report("emulator defect: %s changed the state but is declared neither mutating nor "
                            "changes_state, so with a state file the change would be lost" % spec.name)
            transaction.close()
        if error is not None and not spec.status_return:
            set_system_last_error(error)
        return result

    @staticmethod
    def _snapshot(state: dict) -> str:
        """The state without the call counters, as text (RDS_EMULATOR_CHECK_WRITES compares it around calls)."""
        return json.dumps({key: value for key, value in state.items() if key not in ("calls", "mutating_calls")},
                          sort_keys=True, default=repr)

    # --- handles ------------------------------------------------------------------------------------

    def new_handle(self, kind: str, origin: str, server: str, **details) -> Handle:
        value = next(self._handle_values) * 4
        entry = Handle(kind, value, origin, server, **details)
        with self._misuse_lock:
            self._handles[value] = entry
        return entry

    def handle(self, value: int, kind: str, call: Call) -> Handle:
        """An open handle of this kind, else ERROR_INVALID_HANDLE (recorded as misuse)."""
        entry = self._handles.get(value)
        if entry is None or entry.kind != kind:
            call.misuse("0x%x is not a %s handle this process opened" % (value, kind))
            raise WinFail(ERROR_INVALID_HANDLE)
        if entry.closed:
            call.misuse("use of the closed %s" % entry.describe())
            raise WinFail(ERROR_INVALID_HANDLE)
        return entry

    def close_handle(self, value: int, kind: str, call: Call) -> Handle:
        entry = self.handle(value, kind, call)
        entry.closed = True
        return entry

    def flush_waits(self, handle_value: int) -> None:
        with self._flushed:
            self._flushes[handle_value] += 1
            self._flushed.notify_all()

    def event_block(self, handle_value, wait=None, clear=False) -> bool:
        """The WTSWaitSystemEvent block of a server handle (MS-TSTS 3.7.4.1.15): ``wait=True`` posts a wait
        (False when one is outstanding: refused), ``wait=False`` ends it, ``clear`` removes the block."""
        key = handle_value or 0
        with self._flushed:
            blocks = self.__dict__.setdefault("_event_blocks", {})
            if clear:
                blocks.pop(key, None)
                return True
            if wait:
                if blocks.get(key):
                    return False
                blocks[key] = True
            elif key in blocks:
                blocks[key] = False
            return True

    def flush_count(self, handle_value: int) -> int:
        with self._flushed:
            return self._flushes[handle_value]

    # --- logons (logons.py: the logon mode decides) ---------------------------------------------------

    def logon(self, server: str, session: dict) -> bool:
        """A user logs on in a new session: added unless the logon mode refuses it (then recorded in the
        server's ``refused_logons``). Returns whether it got in."""
        with self.edit() as state:
            return logons.try_logon(state, state["servers"][st.server_key(state, server)], session)

    def reconnect(self, server: str, session_id: int) -> bool:
        """The user of a disconnected session connects again, unless the logon mode refuses it."""
        with self.edit() as state:
            return logons.try_reconnect(state, state["servers"][st.server_key(state, server)], session_id)

    # --- time passing: pending logoffs, scripted events, reboots ------------------------------------

    def _settle(self, state: dict) -> bool:
        """Carry out the reboots, pending logoffs and scripted events that are due; True if any was."""
        wall = time.time()
        changed = False
        if not self._watch:
            return False
        self._watch &= state["servers"].keys()
        for key in [key for key in state["servers"] if key in self._watch]:  # in the state's order
            server = state["servers"][key]
            pending = False
            if server["back_at"] is not None:
                if server["back_at"] <= wall:
                    self._boot(server)
                    changed = True
                else:
                    pending = True
            for session in list(server["sessions"]):
                if session.get("logoff_at") is not None:
                    if session["logoff_at"] <= wall:
                        st.remove_session(server, session["id"])
                        changed = True
                    else:
                        pending = True
            while server["events"] and server["events"][0].get("due_at") is not None \
                    and server["events"][0]["due_at"] <= wall:
                self._fire(state, server, server["events"].pop(0), wall)
                changed = True
            if not pending and not server["events"]:
                self._watch.discard(key)
        return changed

    def _fire(self, state: dict, server: dict, event: dict, wall: float) -> None:
        server["event_serial"] += 1
        server["fired_events"].append({"serial": server["event_serial"], "flags": event_mask(event["flags"]),
                                       "time": st.format_time(st.server_now(state, server)), "wall": wall})
        change = event.get("change") or {}
        if change.get("add_session"):
            accepted = logons.try_logon(state, server, copy.deepcopy(change["add_session"]))
        elif change.get("reconnect"):
            accepted = logons.try_reconnect(state, server, change["session_id"])
        else:
            accepted = True
        if not accepted:  # a refused logon ends before Windows has a session to report
            server["fired_events"].pop()
            server["event_serial"] -= 1
        elif change.get("remove"):
            st.remove_session(server, change["session_id"])
        elif change.get("set"):
            session = st.find_session(server, change["session_id"])
            if session is not None:
                session.update(change["set"])
        if server["events"] and not server["events"][0].get("armed_by_wait"):
            server["events"][0]["due_at"] = wall + server["events"][0].get("delay_seconds", 0)

    @staticmethod
    def _boot(server: dict) -> None:
        """The end of an emulated reboot (``reboot_seconds``): the server answers again with no user logged
        on (session 0, the listener and an empty console session), and the logon mode as a restart leaves it."""
        console = server["console_session_id"]
        kept = [s for s in server["sessions"] if s["id"] in (0, st.LISTENER_ID)]
        if console is not None and console not in (0, st.LISTENER_ID):
            session = copy.deepcopy(st.SESSION_DEFAULTS)
            session.update(id=console, station="Console", state="connected", protocol="console")
            kept.append(session)
        server["sessions"] = sorted(kept, key=lambda s: s["id"])
        server["processes"] = [p for p in server["processes"] if p["session"] == 0]
        server.update(reachable=True, back_at=None, boots=server["boots"] + 1)
        logons.restart(server)

    # --- file security (security.py) ----------------------------------------------------------------

    def set_security(self, path, owner=security.SYSTEM, dacl=(), protected=True, reparse=False) -> None:
        """Give the file or directory at ``path`` (a Linux path) an owner SID and a DACL (a list of
        ``security.ace()`` dicts; None: a NULL DACL), ``protected`` from inheritance; ``reparse``: it is a
        junction (GetFileAttributesW). The descriptor belongs to the file there now (its inode), or, if none
        is there yet, to whatever is created there."""
        path = os.fspath(path)
        inode = security._inode(path)  # pylint: disable=protected-access
        with self.edit() as state:
            state["files"][path] = {"owner": owner, "dacl": None if dacl is None else [dict(entry) for entry in dacl],
                                    "protected": protected, "reparse": reparse, "inode": inode}

    def security(self, path) -> dict:
        """The security descriptor the emulated GetNamedSecurityInfoW gives for ``path``."""
        with self.edit() as state:
            return copy.deepcopy(security.descriptor(state, os.fspath(path)))

    # --- problems -----------------------------------------------------------------------------------

    def report(self, message: str) -> None:
        with self._misuse_lock:
            self._misuse.append(message)

    @property
    def errors(self) -> list:
        with self._misuse_lock:
            local = list(self._misuse)
        return local + list(self.state["misuse"])

    def leaks(self) -> list:
        with self._misuse_lock:
            handles = ["leak: %s never closed" % entry.describe()
                       for entry in self._handles.values() if not entry.closed and entry.must_close]
        if 0 in self.__dict__.get("_event_blocks", {}):
            handles.append("leak: the WTSWaitSystemEvent block of WTS_CURRENT_SERVER_HANDLE was never cleared with "
                           "WTS_EVENT_NONE (MS-TSTS 3.7.4.1.15: it MUST be when completing waiting)")
        return self.heap.leaks() + handles

    def assert_clean(self) -> None:
        problems = self.leaks() + self.errors
        if problems:
            raise AssertionError("the emulated Windows API was misused:\n  " + "\n  ".join(problems))

    def clear_problems(self) -> list:
        """Forget every leak, open handle and misuse so far (for tests that provoke them); returns them."""
        problems = self.leaks() + self.errors
        self.heap.forget()
        self.__dict__.pop("_event_blocks", None)
        with self._misuse_lock:
            self._misuse.clear()
            for entry in self._handles.values():
                entry.closed = True
        with self.edit() as state:
            state["misuse"] = []
        return problems

    def save_counters(self) -> None:
        """File mode: fold the journal of counted calls into the state file, so that the file alone tells every
        call (used at interpreter exit; Emulator.calls needs no such step)."""
        if self.path and st.journal_size(self.path):
            with self.edit():
                pass

    def record_problems(self, origin: str) -> None:
        """Write this process's leaks and misuse into the shared state (used at interpreter exit)."""
        with self._misuse_lock:
            local = list(self._misuse)
        problems = self.leaks() + local
        if problems:
            with self.edit() as state:
                state["misuse"].extend("[%s] %s" % (origin, problem) for problem in problems)
