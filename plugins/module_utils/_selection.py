# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Which sessions a task means: the one selection (session_id, username, session_state, idle and
# disconnected thresholds) every module of the collection shares, and the guardrails that keep session 0,
# the listeners and, unless asked for, the console out of reach of modules that act on sessions.
# Sessions are the plain dicts module_utils/_sessions.py builds; nothing here knows ctypes.

import fnmatch

from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import STATE_NAMES

SERVICES_SESSION_ID = 0
FIRST_LISTENER_ID = 65536
CONSOLE_SESSION_NAME = "console"
# The release that drops the alias ``state`` of ``session_state`` (info and message modules).
STATE_ALIAS_REMOVAL = "1.0.0"
# The options that narrow a selection; a task that acts on sessions must give one of them or `all`.
FILTER_OPTIONS = ("session_id", "username", "session_state", "min_idle_seconds", "min_disconnected_seconds")
_WILDCARDS = frozenset("*?[")


def session_selection_spec(state_alias=False, acting=False, include_system=False):
    """The argument spec of the shared selection, to merge into a module's ``argument_spec``.

    It matches the ``wtsadmin.rds.session_selection`` doc fragment section by section: always the base
    options (fragment ``session_selection``: session_id, username, min_idle_seconds,
    min_disconnected_seconds); ``session_state`` with the deprecated alias ``state`` when ``state_alias``
    (``session_selection.state``, for modules without an option of their own named ``state``) or without
    it (``session_selection.session_state``); ``all`` and ``allow_console`` when ``acting``
    (``session_selection.acting``); ``include_system`` when ``include_system`` (``session_selection.system``).
    """
    spec = {
        "session_id": {"type": "list", "elements": "int"},
        "username": {"type": "list", "elements": "str"},
        "session_state": {"type": "list", "elements": "str", "choices": list(STATE_NAMES)},
        "min_idle_seconds": {"type": "int"},
        "min_disconnected_seconds": {"type": "int"},
    }
    if state_alias:
        # Deprecated: in win_rds_session ``state`` is the state a task brings sessions to, so an ad-hoc
        # ``state=disconnected`` copied from an info task would disconnect sessions.
        spec["session_state"]["aliases"] = ["state"]
        spec["session_state"]["deprecated_aliases"] = [
            {"name": "state", "version": STATE_ALIAS_REMOVAL, "collection_name": "wtsadmin.rds"}]
    if acting:
        spec["all"] = {"type": "bool", "default": False}
        spec["allow_console"] = {"type": "bool", "default": False}
    if include_system:
        spec["include_system"] = {"type": "bool", "default": False}
    return spec


def user_matches(pattern, domain, username):
    """True when the session user ``domain``\\``username`` matches ``pattern``.

    ``pattern`` is ``DOMAIN\\user``, ``user@domain`` or ``user``; case-insensitive, with shell wildcards
    (``*``, ``?``, ``[abc]``) in either part. A bare ``user`` matches that user in any domain. The domain of
    the pattern is compared whole with the domain Windows reports, which is the NetBIOS name (``CONTOSO``)
    for a domain account: ``alice@contoso.com`` matches only a session whose domain is ``contoso.com``, never
    ``CONTOSO\\alice``, since only the directory knows which DNS domain a NetBIOS name stands for (and
    ``alice@contoso.evil.com`` must not reach CONTOSO by its first label). A session without a user matches
    no pattern, not even ``*``.
    """
    if not username:
        return False
    if "\\" in pattern:
        domain_pattern, user_pattern = pattern.split("\\", 1)
    elif "@" in pattern:
        user_pattern, domain_pattern = pattern.rsplit("@", 1)
    else:
        return _like(username, pattern)
    return _like(username, user_pattern) and _like(domain or "", domain_pattern)


def matches_any_name(pattern):
    """True when the shell pattern matches every non-empty name: only ``*`` and at most one ``?``."""
    return bool(pattern) and set(pattern) <= {"*", "?"} and pattern.count("?") <= 1


def matches_every_user(pattern):
    """True when the user pattern ``pattern`` (see user_matches) matches every user of every domain, such as
    ``*``, ``*\\*`` or ``*@*``: a selection made of such patterns selects every user session."""
    parts = pattern.split("\\", 1) if "\\" in pattern else pattern.rsplit("@", 1) if "@" in pattern else [pattern]
    return all(matches_any_name(part) for part in parts)


def _like(text, pattern):
    return fnmatch.fnmatchcase(text.casefold(), pattern.casefold())


def is_system_id(session_id):
    """True for the ID of session 0 (services) or of a listener (65536 and above)."""
    return session_id == SERVICES_SESSION_ID or session_id >= FIRST_LISTENER_ID


def is_system(session):
    """True for session 0 (services) and listeners (ID 65536 and above, or state ``listen``)."""
    return is_system_id(session["session_id"]) or session["state"] == "listen"


def is_console(session, console_session_id=None):
    """True for the console session, by the signals that certainly mean it (docs/modules-in-depth.md, "Which
    session is the console"):

    - its WinStation is named ``Console`` (``session_name``);
    - it is the session attached to the physical console, ``console_session_id`` (WTSGetActiveConsoleSessionId,
      known for the host the code runs on only; None elsewhere);
    - its protocol type (WTSClientProtocolType, ``client_protocol``) is 0, which wts_info_class documents as
      "The console session", while a client is connected to it. The page is silent on a disconnected session,
      and real hosts are reported to answer 0 for a disconnected RDP session too: there the protocol type alone
      decides nothing.
    """
    if (session.get("session_name") or "").casefold() == CONSOLE_SESSION_NAME:
        return True
    if console_session_id is not None and session["session_id"] == console_session_id:
        return True
    return session.get("client_protocol") == CONSOLE_SESSION_NAME and session["state"] != "disconnected"


def selection_problem(params):
    """Why the task's selection must not run, as a message, or None.

    A module that acts on sessions refuses a task without any filter, or whose filters let every user session
    through (``username: '*'``, ``min_idle_seconds: 0``), unless it says ``all: true``, and a ``session_id``
    naming session 0 or a listener, which it never touches.
    """
    system_ids = [session_id for session_id in params.get("session_id") or () if is_system_id(session_id)]
    if system_ids:
        return ("session_id %s: session 0 (services) and the listeners (65536 and above) are never acted on"
                % ", ".join(str(sid) for sid in system_ids))
    if params.get("all"):
        return None
    given = [name for name in FILTER_OPTIONS if params.get(name) is not None]
    if not given:
        return ("no session selected: give session_id, username, session_state, min_idle_seconds or "
                "min_disconnected_seconds, or all: true to act on every user session")
    if all(_selects_everything(name, params[name]) for name in given):
        return ("%s select%s every user session: say all: true as well to act on every user session, or narrow "
                "the selection" % (" and ".join("%s %s" % (name, params[name]) for name in given),
                                   "s" if len(given) == 1 else ""))
    return None


def _selects_everything(option, value):
    """True when filter ``option`` with ``value`` lets every user session through: user patterns that match
    every user, a minimum idle time of 0 (or less), every session state."""
    if option == "username":
        return all(matches_every_user(pattern) for pattern in value)
    if option == "min_idle_seconds":
        return value <= 0
    if option == "session_state":
        return set(STATE_NAMES) <= set(value)
    return False


class SessionSelection:
    """The sessions a task selects, and the guardrails around them.

    A session is a dict with at least ``session_id``, ``state``, ``session_name``, ``username`` and
    ``domain``; the thresholds also read ``idle_seconds`` and ``disconnected_seconds`` (None: unknown, which
    never passes a threshold). Every filter given must match; a list matches when any of its items does.
    Session 0 and the listeners are never selected unless ``include_system`` (info modules only); the
    console passes the filters but is refused unless ``include_console``.
    """

    def __init__(self, session_ids=None, usernames=None, states=None, min_idle_seconds=None,
                 min_disconnected_seconds=None, include_system=False, include_console=True):
        self.session_ids = set(session_ids) if session_ids is not None else None
        self.usernames = list(usernames) if usernames is not None else None
        self.states = set(states) if states is not None else None
        self.min_idle_seconds = min_idle_seconds
        self.min_disconnected_seconds = min_disconnected_seconds
        self.include_system = include_system
        self.include_console = include_console

    @classmethod
    def from_params(cls, params, acting=False):
        """The selection of a task's validated ``params`` (see ``session_selection_spec``).

        ``acting``: the module changes sessions, so session 0 and the listeners are never selected and the
        console only with ``allow_console``; otherwise ``include_system`` decides about session 0 and the
        listeners, and the console is always included.
        """
        return cls(session_ids=params.get("session_id"), usernames=params.get("username"),
                   states=params.get("session_state"), min_idle_seconds=params.get("min_idle_seconds"),
                   min_disconnected_seconds=params.get("min_disconnected_seconds"),
                   include_system=not acting and bool(params.get("include_system")),
                   include_console=not acting or bool(params.get("allow_console")))

    def may_match(self, session):
        """False when the session list alone rules ``session`` out: its ID or state is not selected, or it
        is session 0 or a listener; True when the session's details (user, times) must decide."""
        return ((self.session_ids is None or session["session_id"] in self.session_ids)
                and (self.states is None or session["state"] in self.states)
                and (self.include_system or not is_system(session)))

    def wants(self, session, console_session_id=None):
        """True when ``session`` passes every filter of the task (the console guardrail aside).

        The console's idle time is not trusted (``is_console``, with ``console_session_id`` as there): Windows
        documents LastInputTime only as "The time of the last user input in the session" and is silent on the
        console, whose input is known not to be counted like a remote client's, so ``min_idle_seconds`` never
        selects the console session.
        """
        idle = None if is_console(session, console_session_id) else session.get("idle_seconds")
        return (self.may_match(session)
                and (self.usernames is None
                     or any(user_matches(p, session.get("domain"), session.get("username")) for p in self.usernames))
                and _at_least(idle, self.min_idle_seconds)
                and _at_least(session.get("disconnected_seconds"), self.min_disconnected_seconds))

    def not_found(self, listed, users_known):
        """What the task names specifically that no session of a server is (issue #15: such a target is left
        alone, unchanged, and the task warns): ``{"session_id": [...], "username": [...]}``, empty lists
        when all were found.

        ``listed`` is every session of the server (``session_id``, ``username``, ``domain``). Only session IDs
        and usernames without wildcards name something specific; a username is looked for only when
        ``users_known`` (the user of every session is known), since an unknown user may be the one named.
        """
        present = {session["session_id"] for session in listed}
        exact_users = [pattern for pattern in self.usernames or () if not _WILDCARDS.intersection(pattern)]
        return {"session_id": sorted(set(self.session_ids or ()) - present),
                "username": [pattern for pattern in exact_users if users_known and not any(
                    user_matches(pattern, session.get("domain"), session.get("username")) for session in listed)]}

    def refusal(self, session, console_session_id=None):
        """Why a session that passes the filters is left alone all the same (the console without
        ``allow_console``; ``console_session_id`` as for ``is_console``), or None."""
        if is_console(session, console_session_id) and not self.include_console:
            return "the console session is acted on only with allow_console: true"
        return None


def _at_least(value, threshold):
    return threshold is None or (value is not None and value >= threshold)
