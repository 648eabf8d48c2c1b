# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Waiting on an RD Session Host (win_rds_wait): for session events (WTSWaitSystemEvent), or until the
# sessions reach a condition, with a timeout. WTSWaitSystemEvent has no timeout of its own (wts.py releases
# it from a timer with WTS_EVENT_FLUSH) and its events carry no session id, so the sessions are enumerated
# again after every wake-up. Nothing here knows ctypes.

import datetime
import time
from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import for_each_server
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import is_system, user_matches
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import iso_time, qualified_name
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import (
    EVENT_MASKS,
    WTS_EVENT_ALL,
    enumerate_sessions,
    end_event_waits,
    open_server,
    wait_system_event,
)

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import (
        ListedSession,
        SessionSummary,
        WaitEvent,
        WaitWork,
    )

EVENTS = tuple(EVENT_MASKS)
CONDITIONS = ("no_user_sessions", "no_active_sessions")
# Events that happen while nobody waits are not queued: while waiting for a condition, the sessions are also
# looked at this often, so one missed between two waits delays the answer by this much at most.
RECHECK_SECONDS = 5.0


def wait_spec():
    """The argument spec of win_rds_wait's own options (``server`` and ``on_error`` come from _fanout)."""
    return {
        "event": {"type": "list", "elements": "str", "choices": list(EVENTS)},
        "until": {"type": "str", "choices": list(CONDITIONS)},
        "username": {"type": "list", "elements": "str"},
        "timeout": {"type": "int", "default": 300},
        "fail_on_timeout": {"type": "bool", "default": True},
    }


def counted_sessions(sessions, usernames=None):
    """The sessions a condition looks at: every one but session 0 and the listeners; with ``usernames``
    (the patterns of _selection.user_matches) only those of matching users."""
    return [session for session in sessions if not is_system(session) and (
        usernames is None
        or any(user_matches(pattern, session["domain"], session["username"]) for pattern in usernames))]


def condition_holds(condition, sessions, usernames=None):
    """True when ``condition`` (one of CONDITIONS) holds for the server's ``sessions``."""
    counted = counted_sessions(sessions, usernames)
    if condition == "no_user_sessions":
        return not any(session["username"] for session in counted)
    return not any(session["state"] == "active" for session in counted)


def describe_condition(condition, usernames=None):
    """The condition as the admin reads it: ``no session of CONTOSO\\\\carol``."""
    text = "no active session" if condition == "no_active_sessions" else "no user session"
    return text + (" of %s" % ", ".join(usernames) if usernames else "")


def session_summary(session: ListedSession) -> SessionSummary:
    """What win_rds_wait returns of a session: id, name, state and user."""
    return {"session_id": session["session_id"], "session_name": session["session_name"], "state": session["state"],
            "user": qualified_name(session["domain"], session["username"])}


def wait_on_servers(servers, events, until, usernames, timeout, fail_on_timeout):
    """win_rds_wait: wait on every server of ``servers`` at once (see wait_on_server); one entry per server."""
    return for_each_server(servers, lambda server: wait_on_server(server, events, until, usernames, timeout,
                                                                  fail_on_timeout))


def wait_on_server(server, events, until, usernames, timeout, fail_on_timeout) -> WaitWork:
    """Wait on ``server`` (None: this host); the server's entry of the result.

    With ``events`` (names of EVENTS): until one of those events happens. With ``until`` (one of CONDITIONS,
    for the sessions of ``usernames`` if given): until the condition holds, which may be at once. Either way
    at most ``timeout`` seconds; a timeout fails the server's entry (``failed`` and ``msg``) unless
    ``fail_on_timeout`` is false. The entry holds ``events`` (each wake-up that brought events: their names,
    ``time`` and ``after_seconds``), ``waited_seconds``, ``timed_out``, and ``sessions``: the server's
    sessions (but session 0 and the listeners) as seen after the last wake-up.
    """
    started = time.monotonic()
    deadline = started + timeout
    happened: list[WaitEvent] = []

    def done():
        return condition_holds(until, sessions, usernames) if until else bool(happened)

    with open_server(server) as handle:
        sessions = enumerate_sessions(handle)
        waited = False
        try:
            while not done():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                waited = True
                names = wait_system_event(handle, events or WTS_EVENT_ALL,
                                          min(remaining, RECHECK_SECONDS) if until else remaining)
                if names:
                    happened.append({"names": [name for name in EVENTS if name in names],
                                     "time": iso_time(datetime.datetime.now(datetime.timezone.utc)),
                                     "after_seconds": round(time.monotonic() - started, 3)})
                sessions = enumerate_sessions(handle)
        finally:
            if waited:
                end_event_waits(handle)  # MS-TSTS 3.7.4.1.15: WEVENT_NONE "MUST be called when completing waiting"
        met = done()
    entry: WaitWork = {"changed": False, "events": happened, "waited_seconds": round(time.monotonic() - started, 3),
                       "timed_out": not met, "sessions": [session_summary(s) for s in sessions if not is_system(s)]}
    if not met and fail_on_timeout:
        awaited = (describe_condition(until, usernames) if until else "a session event (%s)" % ", ".join(events))
        entry.update(failed=True, msg=(
            "Timed out after %d seconds on %s waiting for %s. Raise timeout, or set fail_on_timeout: false to "
            "only report it." % (timeout, server or "this host", awaited)))
    return entry
