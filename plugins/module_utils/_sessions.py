# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Sessions of an RD Session Host as an admin sees them (who, from which client, idle for how long on the
# server's own clock, locked or not) and the work of win_rds_session_info and win_rds_session on each
# server of a task (win_rds_message's is in _messages.py). Windows is reached only through wts.py and netapi.py;
# nothing here knows ctypes.

import contextlib
import time
from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain, record_failure
from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import (
    MAX_PARALLEL_SERVERS,
    for_each_server,
    outcome,
    state_diff,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils._logon import logon_report
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import is_system
from ansible_collections.wtsadmin.rds.plugins.module_utils.netapi import server_get_info
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import (
    WinApiError,
    active_console_session_id,
    iso_time,
    qualified_name,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import STATE_NAMES, WTS_CURRENT_SERVER_HANDLE
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import (
    disconnect_session,
    enumerate_sessions,
    is_remote_handle,
    logoff_session,
    open_server,
    session_details,
    session_gone,
)

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import (
        ListedSession,
        NotFound,
        ProtectedSession,
        Session,
        SessionChangeWork,
        SessionDetails,
        SessionInfoWork,
    )

_TIME_KEYS = ("logon_time", "connect_time", "disconnect_time", "last_input_time")  # returned as ISO 8601 UTC
# Every key of a session as win_rds_session_info returns it (session_entry() and the lock state): its ``fields``.
SESSION_FIELDS = ("session_id", "session_name", "state", "username", "domain", "user", "client_name",
                  "client_address", "client_address_family", "client_build", "client_directory",
                  "client_product_id", "client_hardware_id", "client_display", "client_protocol", "is_remote",
                  "logon_time", "connect_time", "disconnect_time", "last_input_time", "idle_seconds",
                  "disconnected_seconds", "locked", "host_name", "farm_name", "incoming_bytes", "outgoing_bytes",
                  "incoming_frames", "outgoing_frames", "incoming_compressed_bytes", "outgoing_compressed_bytes")
# WTSINFOEX's lock flag is inverted on this version (Windows 7, Windows Server 2008 R2).
INVERTED_LOCK_FLAG_VERSION = "6.1"

# win_rds_session: the state a task brings sessions to -> the call that does it.
_ACTIONS = {"disconnected": ("WTSDisconnectSession", disconnect_session),
            "logged_off": ("WTSLogoffSession", logoff_session)}
POLL_SECONDS = 0.25
# The three queries of each session on a remote server (one RPC round trip each) are made by up to this many
# threads per server at once, each with its own server handle (_describe_all). The helpers of all servers of a
# task come from one pool of MAX_PARALLEL_SERVERS * (QUERY_WORKERS_PER_SERVER - 1) threads (query_pool), so a
# task holds at most 64 + 192 threads for its servers' listings (docs/performance.md).
QUERY_WORKERS_PER_SERVER = 4
_UNASKED = object()  # a candidate no thread has described yet


def _seconds(since, now):
    return max(0, int((now - since).total_seconds())) if since and now else None


def session_entry(listed: ListedSession, details: SessionDetails) -> Session:
    """One session as the modules return it, from its ``enumerate_sessions`` entry and ``session_details``.

    User and domain are the enumeration's (full length) where it has them. Times become ISO 8601 UTC;
    ``idle_seconds`` is CurrentTime - LastInputTime on the server's clock, for a
    disconnected session CurrentTime - DisconnectTime (``disconnected_seconds``); ``user`` is DOMAIN\\user.
    ``locked`` is Windows' raw flag (see ``LockFlag``).
    """
    now = details["current_time"]
    session = {key: value for key, value in details.items() if key != "current_time"}
    session.update((key, iso_time(details[key])) for key in _TIME_KEYS)
    # The user's names come from WTSEnumerateSessionsExW's pUserName/pDomainName ("A pointer to a
    # null-terminated string", any length): WTSINFOEX_LEVEL1_W holds them in fixed arrays,
    # "WCHAR UserName[USERNAME_LENGTH + 1]" (20 characters), which cut Entra ID and other long names.
    # The arrays name the user only where the enumeration has no names (WTSEnumerateSessionsW).
    if listed["username"]:
        session["username"], session["domain"] = listed["username"], listed["domain"]
    session["user"] = qualified_name(session["domain"], session["username"])
    session["host_name"] = listed["host_name"]
    session["farm_name"] = listed["farm_name"]
    disconnected = details["state"] == "disconnected"
    session["disconnected_seconds"] = _seconds(details["disconnect_time"], now) if disconnected else None
    session["idle_seconds"] = (session["disconnected_seconds"] if disconnected
                               else _seconds(details["last_input_time"], now))
    return session


class LockFlag:
    """WTSINFOEX's lock flag of one server made right: Windows 7 and Windows Server 2008 R2 report it
    inverted (sdk-api ns-wtsapi32-wtsinfoex_level1_w, SessionFlags: "Windows Server 2008 R2 and Windows 7: Due
    to a code defect, the usage of the WTS_SESSIONSTATE_LOCK and WTS_SESSIONSTATE_UNLOCK flags is reversed.").

    The server's version is read (NetServerGetInfo) once, at the first session that reports a lock state, and
    the flag is turned round only when the version is positively 6.1. When it cannot be read (the Server
    service disabled by hardening: 2114, SMB blocked: 53), every later Windows reports the flag as documented,
    so it is kept as Windows gives it and ``warnings`` says once that it is wrong on those two versions.
    """

    def __init__(self, server, warnings):
        self._server = server
        self._warnings = warnings
        self._asked = False
        self._inverted = None

    def correct(self, locked):
        """The true lock state of a session whose raw flag is ``locked`` (True, False or None)."""
        if locked is None:
            return None
        if not self._asked:
            self._asked = True
            try:
                self._inverted = server_get_info(self._server)["version"] == INVERTED_LOCK_FLAG_VERSION
            except WinApiError as error:  # netapi names the server in the error
                self._warnings.append(
                    "locked is reported as Windows gives it, which is the wrong way round on Windows 7 and Windows "
                    "Server 2008 R2 only; the Windows version could not be read to tell: %s" % explain(error))
        return locked != bool(self._inverted)


def list_sessions(handle, server, selection,
                  pool=None) -> tuple[list[Session], list[ProtectedSession], list[str], NotFound]:
    """The sessions on ``handle`` (opened for ``server``) that ``selection`` matches, described, by ID.

    Returns ``(sessions, protected, warnings, not_found)``: ``protected`` holds the sessions a guardrail left
    alone although they pass every filter (session_id, user, reason); ``warnings`` what the task should say;
    ``not_found`` what the task names that the server does not have (``SessionSelection.not_found``).
    One enumeration, then at most three calls per candidate (``session_details``) and one NetServerGetInfo
    per server; a session that ends meanwhile is left out. With ``pool`` (a ThreadPoolExecutor the task's
    servers share) and a remote server, the candidates are described by up to QUERY_WORKERS_PER_SERVER threads
    at once (``_describe_all``); the result is the same as one after another.
    """
    sessions, protected, warnings = [], [], []
    lock_flag = LockFlag(server, warnings)
    # WTSGetActiveConsoleSessionId answers for this machine only: a remote server's console is known by the
    # other signals of _selection.is_console.
    console_id = active_console_session_id() if handle is WTS_CURRENT_SERVER_HANDLE else None
    listed_sessions = enumerate_sessions(handle)
    # WTSEnumerateSessionsExW names the user of every session; WTSEnumerateSessionsW names none, and then a
    # user is known only for the sessions described below (session 0 and the listeners never have one).
    users_known = any(listed["username"] for listed in listed_sessions)
    candidates, undescribed = [], 0
    for listed in listed_sessions:
        if selection.may_match(listed):
            candidates.append(listed)
        else:
            undescribed += not is_system(listed)
    for listed, details in zip(candidates, _describe_all(handle, server, candidates, pool)):
        if details is None:  # the session ended meanwhile
            continue
        session = session_entry(listed, details)
        listed.update(username=session["username"], domain=session["domain"])
        session["locked"] = lock_flag.correct(details["locked"])
        if not selection.wants(session, console_id):
            continue
        reason = selection.refusal(session, console_id)
        if reason:
            protected.append({"session_id": session["session_id"], "user": session["user"], "reason": reason})
        else:
            sessions.append(session)
    sessions.sort(key=lambda session: session["session_id"])
    return sessions, protected, warnings, selection.not_found(listed_sessions, users_known or not undescribed)


def _details(handle, listed):
    """``session_details`` of one listed session, None when it ended meanwhile; other WinApiErrors raise."""
    try:
        return session_details(handle, listed["session_id"])
    except WinApiError as error:
        if session_gone(error):
            return None
        raise


def _describe_all(handle, server, candidates, pool):
    """``_details`` of each of ``candidates``, in their order, as asking one after another on ``handle`` gives.

    A remote server answers each query with an RPC round trip, so with ``pool`` up to QUERY_WORKERS_PER_SERVER
    threads ask at once: this one on ``handle``, each helper on a server handle of its own, opened and closed
    by it (Microsoft's pages for WTSOpenServerExW and WTSQuerySessionInformationW say nothing about using
    one handle from several threads at once, so no handle is shared; sdk-api nf-wtsapi32-wtsopenserverexw:
    "When you have finished using the handle returned by this function, release it by calling the
    WTSCloseServer function"). The threads take the next candidate in turn until none is left. This thread
    asks the first candidate alone, so that a server that fails it (down, access denied) gets no helpers, and a
    helper starts only if work is left when the pool runs it. Whatever a helper could not answer (its handle
    would not open, a call failed other than "session gone") this thread asks again on ``handle``, in order,
    raising as the one-after-another way does; any such failure stops the helpers taking more.
    WTS_CURRENT_SERVER_HANDLE (this machine: local calls, no round trip) is asked in this thread alone.
    """
    if not candidates:
        return []
    answers = [_details(handle, candidates[0])] + [_UNASKED] * (len(candidates) - 1)
    helpers = min(QUERY_WORKERS_PER_SERVER - 1, len(candidates) - 1)
    if pool is None or not is_remote_handle(handle) or helpers < 1:
        return answers[:1] + [_details(handle, listed) for listed in candidates[1:]]
    work = _QueryTurns(candidates, answers, start=1)
    futures = [pool.submit(_helper, server, work) for _helper_number in range(helpers)]
    try:
        work.run(handle)
    finally:
        work.stop()
        for future in futures:
            if not future.cancel():
                future.result()  # a helper already running finishes its candidate (a bug in it raises here)
    return [_settled(handle, listed, answer) for listed, answer in zip(candidates, answers)]


def _settled(handle, listed, answer):
    if isinstance(answer, _Failed):
        raise answer.error
    return _details(handle, listed) if answer is _UNASKED else answer


def _helper(server, work):
    if work.done():
        return
    try:
        with open_server(server, remote=True) as handle:
            work.run(handle, helper=True)
    except WinApiError:
        pass  # WTSOpenServerExW failed: its turns are taken by the others, what is left by the server's thread


class _QueryTurns:
    """The candidates of one server handed out in turn to the threads that describe them (``_describe_all``)."""

    def __init__(self, candidates, answers, start):
        self._candidates = candidates
        self._answers = answers
        self._next = start
        # Imported here: threading costs about 2 ms of a task's start on the host, and only the query helpers of
        # a remote server share turns (docs/performance.md, "Host-side CPU").
        import threading

        self._lock = threading.Lock()

    def _take(self):
        with self._lock:
            if self._next >= len(self._candidates):
                return None
            index, self._next = self._next, self._next + 1
            return index

    def done(self):
        with self._lock:
            return self._next >= len(self._candidates)

    def stop(self):
        with self._lock:
            self._next = len(self._candidates)

    def run(self, handle, helper=False):
        """Describe candidates on ``handle`` until none is left. A failure on a helper's handle leaves the
        candidate unasked; on the server's own handle it is kept, to be raised in order. Either stops the turns."""
        index = self._take()
        while index is not None:
            try:
                self._answers[index] = _details(handle, self._candidates[index])
            except WinApiError as error:
                if not helper:
                    self._answers[index] = _Failed(error)
                self.stop()
                return
            index = self._take()


class _Failed:
    def __init__(self, error):
        self.error = error


def _what(session: Session) -> str:
    return "session %d (%s)" % (session["session_id"], session["user"] or "no user")


def record_session_failure(session: Session, error, server):
    """Put the WinApiError of a call on ``session`` into its result (see _errors.record_failure)."""
    record_failure(session, error, server, _what(session), vanished=session_gone(error))


# win_rds_session_info

def report_sessions(servers, selection):
    """win_rds_session_info: per server of ``servers``, the sessions ``selection`` picks and how many there are
    in each state."""
    with query_pool(servers) as pool:
        return for_each_server(servers, lambda server: _report(server, selection, pool))


def query_pool(servers):
    """A pool for the query helpers of every server of one task (``list_sessions``' ``pool``), in a ``with``;
    with ``servers`` None, None: the host itself answers locally, in one thread (``_describe_all``)."""
    if servers is None:
        return contextlib.nullcontext()
    # Imported here: concurrent.futures, with the logging it imports, costs about 10 ms of a task's start on
    # the host, and a task on its own host needs no pool (docs/performance.md, "Host-side CPU").
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=MAX_PARALLEL_SERVERS * (QUERY_WORKERS_PER_SERVER - 1))


def _report(server, selection, pool) -> SessionInfoWork:
    with open_server(server) as handle:
        sessions, _protected, warnings, _not_found = list_sessions(handle, server, selection, pool)
    logon, logon_warnings = logon_report(server)
    return dict(logon, sessions=sessions, counts=count_states(sessions), warnings=warnings + logon_warnings)


def count_states(sessions: list[Session]) -> dict[str, int]:
    """How many of ``sessions`` are in each state: every state of STATE_NAMES, most as 0."""
    counts = dict.fromkeys(STATE_NAMES, 0)
    for session in sessions:
        counts[session["state"]] = counts.get(session["state"], 0) + 1
    return counts


def total_counts(results):
    """The ``counts`` of every server of ``report_sessions``' results that answered, added up."""
    counts = dict.fromkeys(STATE_NAMES, 0)
    for entry in results:
        for state, count in entry.get("counts", {}).items():
            counts[state] = counts.get(state, 0) + count
    return counts


# win_rds_session

def change_sessions(servers, selection, state, wait, timeout, check_mode):
    """win_rds_session: bring the sessions of ``servers`` that ``selection`` picks to ``state`` (disconnected or
    logged_off), with ``wait``, up to ``timeout`` seconds, until they got there; ``(results, diff)``.

    Each session gets ``previous_state``, ``state`` (after) and ``result`` (``disconnected``, ``logged_off``,
    ``unchanged``, ``vanished`` or ``failed`` with ``error``). Check mode calls nothing that changes a
    session; its results say what a real run would do (``would_disconnect``, ``would_log_off``) and its
    ``state`` the state a real run leaves. The diff lists each selected session's state before and after.
    """
    with query_pool(servers) as pool:
        results = for_each_server(servers, lambda server: _change(server, selection, state, wait, timeout, check_mode,
                                                                  pool))
    return results, state_diff(results, "sessions", _what)


def _change(server, selection, target, wait, timeout, check_mode, pool) -> SessionChangeWork:
    confirm_failure = None
    with open_server(server) as handle:
        sessions, protected, warnings, not_found = list_sessions(handle, server, selection, pool)
        for session in sessions:
            session["previous_state"] = session["state"]
            session["result"] = "unchanged" if session["state"] == target else target
        pending = [session for session in sessions if session["result"] == target]
        if not check_mode:
            _request(handle, server, pending, target)
            if wait:
                try:
                    _await(handle, server, [s for s in pending if s["result"] == target], target, timeout)
                except WinApiError as error:  # the requests were made: keep what they did, say what failed after
                    confirm_failure = explain(error, "the sessions after the %s requests" % _ACTIONS[target][0],
                                              server)
    changed = False
    for session in pending:
        if session["result"] == target:
            session.update(state=target, result=outcome(target, check_mode))
            changed = True
    entry: SessionChangeWork = {"changed": changed, "sessions": sessions, "protected": protected, "warnings": warnings,
                                "not_found": not_found}
    if confirm_failure:
        entry.update(failed=True, msg=confirm_failure)
    return entry


def _request(handle, server, sessions, target):
    act = _ACTIONS[target][1]
    for session in sessions:
        try:
            act(handle, session["session_id"])
        except WinApiError as error:
            record_session_failure(session, error, server)


def _await(handle, server, sessions, target, timeout):
    """Poll the session list until each session has reached ``target`` (gone, for a logoff) or ``timeout``."""
    deadline = time.monotonic() + timeout
    waiting = {session["session_id"]: session for session in sessions}
    while waiting:
        states = {listed["session_id"]: listed["state"] for listed in enumerate_sessions(handle)}
        for session_id in list(waiting):
            if session_id not in states or (target == "disconnected" and states[session_id] == target):
                del waiting[session_id]
        if waiting and time.monotonic() >= deadline:
            for session in waiting.values():
                session.update(result="failed", error=(
                    "%s on %s for %s: the session was still %s %d s after Windows accepted the request.\n"
                    "Raise timeout, or look on the server for what holds the session (a hung program or logon "
                    "script)." % (_ACTIONS[target][0], server or "this host", _what(session),
                                  states[session["session_id"]], timeout)))
            return
        if waiting:
            time.sleep(POLL_SECONDS)
