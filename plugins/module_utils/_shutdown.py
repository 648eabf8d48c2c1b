# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Asking a server to reboot, shut down, power off or log every session off (win_rds_server,
# WTSShutdownSystem). Windows is reached only through wts.py; nothing here knows ctypes.

from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import for_each_server, outcome
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import is_system
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import (
    WTS_WSD_LOGOFF,
    WTS_WSD_POWEROFF,
    WTS_WSD_REBOOT,
    WTS_WSD_SHUTDOWN,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import enumerate_sessions, open_server, shutdown_system

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import ShutdownWork

# win_rds_server's state -> WTSShutdownSystem's flag.
SHUTDOWN_FLAGS = {"rebooted": WTS_WSD_REBOOT, "shut_down": WTS_WSD_SHUTDOWN, "powered_off": WTS_WSD_POWEROFF,
                  "logged_off": WTS_WSD_LOGOFF}
LOGGED_OFF_WARNING = (
    "state=logged_off: after it, %s refuses every new remote logon until its Remote Desktop Services service "
    "(TermService) restarts, usually with the next reboot.")


def shutdown_servers(servers, state, check_mode):
    """win_rds_server: ask every server of ``servers`` at once for ``state``; one entry per server."""
    return for_each_server(servers, lambda server: request_shutdown(server, state, check_mode))


def request_shutdown(server, state, check_mode) -> ShutdownWork:
    """Count the user sessions of ``server`` (None: this host), then ask it for ``state`` unless
    ``check_mode``; the server's entry of the result."""
    with open_server(server) as handle:
        user_sessions = sum(1 for session in enumerate_sessions(handle)
                            if session["username"] and not is_system(session))
        if not check_mode:
            shutdown_system(handle, SHUTDOWN_FLAGS[state])
    entry: ShutdownWork = {"changed": True, "previous_state": "running", "state": state, "result": outcome("requested", check_mode),
                           "user_sessions": user_sessions}
    if state == "logged_off":
        entry["warnings"] = [LOGGED_OFF_WARNING % (server or "this host")]
    return entry
