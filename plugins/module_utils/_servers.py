# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Whole servers: the list of RD Session Hosts the Computer Browser knows (win_rds_server_info, NetServerEnum)
# and asking a server to reboot, shut down, power off or log every session off (win_rds_server,
# WTSShutdownSystem). Windows is reached only through wts.py and netapi.py; nothing here knows ctypes.

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import outcome
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import is_system
from ansible_collections.wtsadmin.rds.plugins.module_utils.netapi import server_enum
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import (
    WTS_WSD_LOGOFF,
    WTS_WSD_POWEROFF,
    WTS_WSD_REBOOT,
    WTS_WSD_SHUTDOWN,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import enumerate_sessions, open_server, shutdown_system

# win_rds_server's state -> WTSShutdownSystem's flag.
SHUTDOWN_FLAGS = {"rebooted": WTS_WSD_REBOOT, "shut_down": WTS_WSD_SHUTDOWN, "powered_off": WTS_WSD_POWEROFF,
                  "logged_off": WTS_WSD_LOGOFF}
LOGGED_OFF_WARNING = (
    "state=logged_off: after it, %s refuses every new remote logon until its Remote Desktop Services service "
    "(TermService) restarts, usually with the next reboot.")
# What win_rds_server_info returns of a server.
RETURNED_KEYS = ("name", "platform", "version", "types", "comment")
PARTIAL_LIST_WARNING = (
    "NetServerEnum returned only part of the server list (ERROR_MORE_DATA): the servers listed are correct, "
    "but others are missing. Narrow server_types or domain to get a complete list.")


def request_shutdown(server, state, check_mode):
    """Count the user sessions of ``server`` (None: this host), then ask it for ``state`` unless
    ``check_mode``; the server's entry of the result."""
    with open_server(server) as handle:
        user_sessions = sum(1 for session in enumerate_sessions(handle)
                            if session["username"] and not is_system(session))
        if not check_mode:
            shutdown_system(handle, SHUTDOWN_FLAGS[state])
    entry = {"changed": True, "previous_state": "running", "state": state, "result": outcome("requested", check_mode),
             "user_sessions": user_sessions}
    if state == "logged_off":
        entry["warnings"] = [LOGGED_OFF_WARNING % (server or "this host")]
    return entry


def list_servers(domain, server_types, server):
    """The servers of ``server_types`` that NetServerEnum lists for ``domain``, as ``(servers, more_data)``.

    Each server is a dict with the keys of RETURNED_KEYS. Raises WinApiError when NetServerEnum fails.
    """
    servers, more_data = server_enum(domain, list(server_types), server)
    return [{key: entry[key] for key in RETURNED_KEYS} for entry in servers], more_data
