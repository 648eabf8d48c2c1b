# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Messages to sessions (win_rds_message): which texts Windows takes, which sessions get the message when
# the task names none, and one message box per selected session on each server of a task, all shown at
# once. Windows is reached only through wts.py; nothing here knows ctypes.

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import for_each_server, outcome
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import FILTER_OPTIONS, SessionSelection
from ansible_collections.wtsadmin.rds.plugins.module_utils._sessions import list_sessions, record_session_failure
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import MESSAGE_BUTTONS, RESPONSE_NAMES
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import message_style, open_server, send_message

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import MessageWork, SessionMessage

# RpcWinStationSendMessage (MS-TSTS 3.7.4.1.8) takes at most 1024 for each length; keep room for the NUL.
MAX_TEXT_BYTES = 1022
DEFAULT_TITLE = "Message from your administrator"
# Each waiting message holds one thread (one blocked RPC); 256 covers the sessions a session host holds, so
# wait takes one timeout, not one per batch (docs/performance.md). The bound is for the whole task: the servers
# of a farm message share it.
MAX_PARALLEL_MESSAGES = 256


def message_problem(msg, title, buttons, default_button, timeout, wait):
    """Why the message options cannot be sent as given, as a message, or None (nothing is contacted)."""
    count = MESSAGE_BUTTONS[buttons][1]
    if default_button > count:
        return "default_button %d: buttons=%s has only %d button%s" % (
            default_button, buttons, count, "s" if count > 1 else "")
    if timeout < 0:
        return "timeout %d: give seconds, 0 or more" % timeout
    if wait and not timeout:
        return "wait: true needs a timeout (seconds) greater than 0, or the task could wait for ever"
    if not msg.strip():
        return "msg is empty: give the text to show"
    for option, text in (("title", title), ("msg", msg)):
        size = len((text or "").encode("utf-16-le"))
        if size > MAX_TEXT_BYTES:
            return ("%s is %d bytes in UTF-16, Windows takes at most %d (%d characters; an emoji or other "
                    "character outside the Basic Multilingual Plane counts as two)"
                    % (option, size, MAX_TEXT_BYTES, MAX_TEXT_BYTES // 2))
    return None


def message_selection(params):
    """The sessions a message goes to: those the task's selection options pick (see ``session_selection_spec``), or
    without any of them, the active sessions that have a user."""
    if all(params.get(name) is None for name in FILTER_OPTIONS):
        return SessionSelection(states=["active"], usernames=["*"])
    return SessionSelection.from_params(params)


def send_messages(servers, selection, msg, title, buttons, icon, default_button, timeout, wait, check_mode):
    """Show the message in each session of ``servers`` that ``selection`` picks, concurrently.

    Each session gets ``result`` (``sent``, ``vanished``, ``failed`` with ``error``; ``would_send`` in check
    mode, which sends nothing) and ``answer`` (ok, cancel, yes, no, ..., ``timeout``, ``async`` without
    ``wait``; None in check mode).
    """
    message = {"title": title if (title or "").strip() else DEFAULT_TITLE, "message": msg, "timeout": timeout,
               "wait": wait, "style": message_style(buttons, icon, default_button)}
    # One pool for the messages of every server, and for the helpers that list their sessions: the task holds at
    # most MAX_PARALLEL_SERVERS + MAX_PARALLEL_MESSAGES threads however many servers it works (a pool per server
    # made it 64 x 256).
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL_MESSAGES) as pool:
        return for_each_server(servers, lambda server: _send(server, selection, message, check_mode, pool))


def _send(server, selection, message, check_mode, pool) -> MessageWork:
    with open_server(server) as handle:
        sessions, _protected, warnings, not_found = list_sessions(handle, server, selection, pool)
        for session in sessions:
            session.update(result=outcome("sent", check_mode), answer=None)
        if sessions and not check_mode:
            list(pool.map(lambda session: _message(handle, server, session, message), sessions))
    return {"changed": any(session["result"] in ("sent", "would_send") for session in sessions),
            "sessions": sessions, "warnings": warnings, "not_found": not_found}


def _message(handle, server, session: SessionMessage, message):
    try:
        response = send_message(handle, session["session_id"], **message)
    except WinApiError as error:
        record_session_failure(session, error, server)
        return
    session["answer"] = RESPONSE_NAMES.get(response, str(response))
