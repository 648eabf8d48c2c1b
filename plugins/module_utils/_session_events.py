# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The session event stream of the wtsadmin.rds.session_events event source (docs/eda.md), on the host: a loop
# around WTSWaitSystemEvent (wts.wait_system_event, as win_rds_wait) and the session list (_sessions.list_sessions,
# as win_rds_session_info). Windows' events say only that something happened, never to which session, and
# events that happen while nobody waits are not queued; so every wake-up (an event, or poll_interval without
# one) lists the sessions again and the events are the difference between two lists. What changed several
# times between two lists is seen once, as its net change. Nothing here knows ctypes.
#
# Output, one line of ASCII JSON each: {"hello": {"sessions": N}} once the sessions could be listed, then one
# {"event": {...}} per event, and after every wake-up one {"state": {...}}: the compact session list the next
# diff starts from. The controller keeps the last state and sends it back as ``baseline`` when it reconnects,
# so a dropped connection loses no change, it only delays it. The state line is also the heartbeat: once the
# reader is gone, writing it fails and the loop ends.

import datetime
import json
import os
import sys

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import SessionSelection
from ansible_collections.wtsadmin.rds.plugins.module_utils._sessions import list_sessions
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import iso_time
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import (
    WTS_EVENT_ALL,
    end_event_waits,
    open_server,
    wait_system_event,
)

# The session events (host-level events, host_up and host_down, are the controller's).
SESSION_EVENTS = ("logon", "logoff", "connect", "disconnect", "reconnect", "lock", "unlock", "idle", "idle_end",
                  "disconnected_long")
_COMPACT = ("user", "state", "session_name", "client_name", "client_address", "logon_time", "locked")


def stream_spec():
    """The argument spec of the host loop (the event source's options that reach the host)."""
    return {
        "events": {"type": "list", "elements": "str", "choices": list(SESSION_EVENTS),
                   "default": list(SESSION_EVENTS)},
        "poll_interval": {"type": "float", "default": 30.0},
        "idle_threshold": {"type": "int"},
        "disconnected_threshold": {"type": "int"},
        "baseline": {"type": "dict"},
    }


def compact(session):
    """What the diff remembers of a described session (_sessions.describe)."""
    return {key: session.get(key) for key in _COMPACT}


class SessionWatcher:
    """The difference between successive session lists of one server, as events.

    ``baseline``: the ``state`` of an earlier watcher (session ID, as text, -> compact session with the
    threshold flags ``idle`` and ``disconnected_long``), or None at the first start: then the sessions that
    exist are known without events, except the threshold crossings they are already past.
    """

    def __init__(self, idle_threshold=None, disconnected_threshold=None, baseline=None):
        self.idle_threshold = idle_threshold
        self.disconnected_threshold = disconnected_threshold
        self.known = None if baseline is None else {int(key): dict(value) for key, value in baseline.items()}

    def state(self):
        return {str(session_id): session for session_id, session in sorted((self.known or {}).items())}

    def update(self, sessions, windows_events=()):
        """The events that take the known sessions to ``sessions`` (described, but session 0 and listeners)."""
        events = []
        current = {}
        first = self.known is None
        known = self.known or {}
        for session in sessions:
            before = known.get(session["session_id"])
            after = dict(compact(session), idle=False, disconnected_long=False)
            if before and before["logon_time"] != after["logon_time"] and before["user"]:
                events.append(self._event("logoff", session["session_id"], before, None))  # the ID was reused
                before = None
            if not first:
                events += [self._event(kind, session["session_id"], before, after, session)
                           for kind in _transitions(before, after)]
            for flag, kind, crossed in (("idle", "idle", self._idle(session)),
                                        ("disconnected_long", "disconnected_long", self._disconnected_long(session))):
                after[flag] = crossed
                if crossed and not (before or {}).get(flag):
                    events.append(self._event(kind, session["session_id"], before, after, session))
                elif flag == "idle" and not crossed and (before or {}).get(flag) and after["state"] == "active":
                    events.append(self._event("idle_end", session["session_id"], before, after, session))
            current[session["session_id"]] = after
        for session_id, before in sorted(known.items()):
            if session_id not in current:
                events.append(self._event("logoff" if before["user"] else "disconnect", session_id, before, None))
        self.known = current
        for event in events:
            event["windows_events"] = sorted(windows_events)
        return events

    def _idle(self, session):
        return bool(self.idle_threshold and session["user"] and session["state"] == "active"
                    and (session["idle_seconds"] or 0) >= self.idle_threshold)

    def _disconnected_long(self, session):
        return bool(self.disconnected_threshold and session["user"] and session["state"] == "disconnected"
                    and (session["disconnected_seconds"] or 0) >= self.disconnected_threshold)

    @staticmethod
    def _event(kind, session_id, before, after, session=None):
        latest = after or before
        return {
            "type": kind,
            "session_id": session_id,
            "user": latest["user"],
            "session_name": latest["session_name"],
            "client_name": latest["client_name"],
            "client_address": latest["client_address"],
            "logon_time": latest["logon_time"],
            "state_before": before["state"] if before else None,
            "state_after": after["state"] if after else None,
            "locked": after["locked"] if after else None,
            "idle_seconds": session["idle_seconds"] if session else None,
            "disconnected_seconds": session["disconnected_seconds"] if session else None,
        }


def _transitions(before, after):
    """The session events between two compact states of one session (``before`` None: it is new)."""
    if before is None:
        return ["logon"] if after["user"] else ["connect"]
    kinds = []
    if before["user"] != after["user"]:
        kinds += (["logoff"] if before["user"] else []) + (["logon"] if after["user"] else [])
    if before["state"] != "disconnected" and after["state"] == "disconnected":
        kinds.append("disconnect")
    elif before["state"] == "disconnected" and after["state"] in ("active", "connected"):
        kinds.append("reconnect")
    if before["locked"] is False and after["locked"] is True:
        kinds.append("lock")
    elif before["locked"] is True and after["locked"] is False:
        kinds.append("unlock")
    return kinds


def watch(params, write):
    """Stream the events of this host's sessions with ``write(dict)`` until writing fails (the reader left).

    ``params`` as stream_spec() describes them. Runs until an error: a WinApiError (the runner reports it as
    the final result line) or the OSError of a closed stdout (nobody reads any more).
    """
    wanted = set(params["events"])
    watcher = SessionWatcher(params["idle_threshold"], params["disconnected_threshold"], params["baseline"])
    selection = SessionSelection()
    with open_server(None) as handle:
        names = ()
        sessions = list_sessions(handle, None, selection)[0]
        write({"hello": {"sessions": len(sessions)}, "host_time": _now()})
        try:
            while True:
                for event in watcher.update(sessions, names):
                    if event["type"] in wanted:
                        event["host_time"] = _now()
                        write({"event": event})
                write({"state": watcher.state(), "host_time": _now()})
                # WTSWaitSystemEvent has no timeout of its own; wts.wait_system_event releases it after
                # poll_interval.
                names = wait_system_event(handle, WTS_EVENT_ALL, params["poll_interval"])
                sessions = list_sessions(handle, None, selection)[0]
        finally:
            end_event_waits(handle)  # MS-TSTS 3.7.4.1.15: WEVENT_NONE "MUST be called when completing waiting"


def _now():
    return iso_time(datetime.datetime.now(datetime.timezone.utc))


def main():
    module = AnsibleModule(argument_spec=stream_spec())
    # The runner sends what a module prints to stderr (stdout carries its one result); the stream is the
    # exception: its lines go to the process's real stdout, each flushed at once (docs/execution-model.md).
    stdout = sys.__stdout__

    def write(line):
        stdout.write(json.dumps(line, ensure_ascii=True, sort_keys=True) + "\n")
        stdout.flush()

    try:
        watch(module.params, write)
    except OSError:  # BrokenPipeError, or EINVAL on a Windows pipe whose reader is gone: nobody listens,
        os._exit(0)  # and nothing can be reported; end without flushing the dead stdout again at exit
