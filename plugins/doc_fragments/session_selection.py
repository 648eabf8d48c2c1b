# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The shared session selection; matches ``plugins/module_utils/_selection.py``'s ``session_selection_spec()``."""

    DOCUMENTATION = r"""
options:
  session_id:
    description:
      - Select these sessions by ID (the C(ID) column of C(quser) or Task Manager).
    type: list
    elements: int
  username:
    description:
      - Select the sessions of these users.
      - Each item is C(DOMAIN\user), C(user@domain) or a bare C(user) (any domain). The comparison
        ignores case and takes shell wildcards in both parts, for example C(CONTOSO\svc_*) or C(*).
      - The domain of the item is compared whole with the domain Windows reports for the session, which
        for a domain account is its NetBIOS name, so write C(CONTOSO\alice) or C(alice@CONTOSO).
        C(alice@contoso.com) matches only a session whose domain Windows reports as C(contoso.com), never
        C(CONTOSO\alice), since only the directory knows which DNS domain a NetBIOS name stands for.
      - An empty item, or one with a NUL character, fails the task.
      - A session without a user (a logon screen, a disconnected session whose user has gone) matches no
        pattern, not even C(*).
    type: list
    elements: str
  min_idle_seconds:
    description:
      - Select sessions idle for at least this many seconds, measured on the server's own clock as
        C(CurrentTime - LastInputTime), and for a disconnected session as C(CurrentTime - DisconnectTime)
        (the idle time C(quser) shows).
      - A session whose idle time Windows does not report is never selected by this filter.
      - Nor is the console session, whose idle time is unreliable (Windows documents C(LastInputTime) only
        as the time of the last user input and says nothing of the console); select it by C(session_id) or
        C(username) instead.
    type: int
  min_disconnected_seconds:
    description:
      - Select disconnected sessions that have been disconnected for at least this many seconds, on the
        server's own clock (C(CurrentTime - DisconnectTime)).
      - Sessions that are not disconnected are never selected by this filter.
    type: int
notes:
  - Every selection option given must match; within one list option, any item may match.
"""

    # The state filter is session_state everywhere. Modules without an option of their own named `state`
    # also accept `state` for it (STATE); modules whose `state` is the state they bring sessions to
    # (win_rds_session) do not (SESSION_STATE). ansible-test wants each section as one literal, so the two
    # differ only in the alias (tests/unit/plugins/module_utils/test__selection.py checks it).
    STATE = r"""
options:
  session_state:
    description:
      - Select sessions in one of these connection states (the C(WTS_CONNECTSTATE_CLASS) of
        C(WTSEnumerateSessionsExW)).
      - V(active) has a user working; V(disconnected) keeps the user's programs running without a client;
        V(connected) has a client at the logon screen; V(listen) is a listener.
      - The alias C(state) is deprecated and will be removed in release 1.0.0, and a deprecation warning says
        so when it is used. Use O(session_state). In M(wtsadmin.rds.win_rds_session),
        O(wtsadmin.rds.win_rds_session#module:state) is the state the task brings sessions to, so
        C(state=disconnected) copied from here would disconnect sessions.
    type: list
    elements: str
    choices: [active, connected, connect_query, shadow, disconnected, idle, listen, reset, down, init]
    aliases: [state]
"""

    SESSION_STATE = r"""
options:
  session_state:
    description:
      - Select sessions in one of these connection states (the C(WTS_CONNECTSTATE_CLASS) of
        C(WTSEnumerateSessionsExW)).
      - V(active) has a user working; V(disconnected) keeps the user's programs running without a client;
        V(connected) has a client at the logon screen; V(listen) is a listener.
    type: list
    elements: str
    choices: [active, connected, connect_query, shadow, disconnected, idle, listen, reset, down, init]
"""

    ACTING = r"""
options:
  all:
    description:
      - Act on every session the guardrails allow.
      - A task that gives none of O(session_id), O(username), O(session_state), O(min_idle_seconds) and
        O(min_disconnected_seconds) fails unless it says O(all=true), so that a forgotten filter never
        acts on every user.
      - So does a task whose filters let every user session through, such as user patterns that match every user
        (C(*), C(*\*), C(*@*)), O(min_idle_seconds=0), or every session state.
    type: bool
    default: false
  allow_console:
    description:
      - Also act on the console session (the one at the server's physical or virtual console). Without it,
        the console session is left alone even when it matches, and is listed under C(protected).
      - A session is the console when its WinStation is named C(Console), when it is the session attached
        to the physical console (C(WTSGetActiveConsoleSessionId), known on the host the task runs on only),
        or when its protocol type is the console's (0) while it is not disconnected. A disconnected session
        reading protocol type 0 is no console by that alone, since Windows may report 0 for a
        disconnected RDP session too.
    type: bool
    default: false
notes:
  - Session 0 (services) and the listeners (IDs 65536 and above, state C(listen)) are never acted on;
    naming one in O(session_id) fails the task.
"""

    SYSTEM = r"""
options:
  include_system:
    description:
      - Also list session 0 (services) and the listeners (IDs 65536 and above, state C(listen)), which
        are left out by default, even when O(session_id) names them.
    type: bool
    default: false
"""
