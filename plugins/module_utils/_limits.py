# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The values an option may take beyond its Ansible type, because of the Windows type it reaches: ctypes
# silently wraps a Python int into a DWORD (4294967298 becomes 2, -1 becomes 0xFFFFFFFF), a C string ends at
# its first NUL, and a float such as inf or nan has no millisecond count. The controller checks every task
# with option_problems() after Ansible's own argument checks (plugin_utils/_action.py validate_args), so a
# value that does not fit fails the task before any host is contacted. docs/security.md lists what this
# protects.

import math

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import server_list_problem
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import DWORD_MAX, WTS_CURRENT_SESSION

# WTS_CURRENT_SESSION is ((DWORD)-1): "Use the WTS_CURRENT_SESSION constant to specify the current session"
# (WTSQuerySessionInformationW, SessionId). A session_id of -1 or 4294967295 would act on the caller's own.
# WTSVirtualChannelRead: "TimeOut [in] Specifies the time-out, in milliseconds. If TimeOut is zero, ... If
# TimeOut is INFINITE, the function waits indefinitely" (INFINITE is 0xFFFFFFFF, a ULONG).
_LONGEST_READ_SECONDS = (DWORD_MAX - 1) / 1000.0

# Every integer option of the collection, by name: (lowest, highest, what Windows takes). A module that adds
# an integer or float option must add it here (tests/unit/plugins/module_utils/test__limits.py checks that
# every module's are).
INTEGER_RANGES = {
    # WTSSESSION_INFOW: "SessionId: Session identifier of the session." (a DWORD)
    "session_id": (0, WTS_CURRENT_SESSION - 1, "a session ID (a DWORD; 4294967295 is WTS_CURRENT_SESSION, the "
                                               "caller's own session)"),
    # WTS_PROCESS_INFO_EXW: "ProcessId: The process identifier" (a DWORD)
    "pid": (0, DWORD_MAX, "a process ID (a DWORD)"),
    # WTSTerminateProcess: "ExitCode [in] The exit code for the terminated process." (a DWORD)
    "exit_code": (0, DWORD_MAX, "an exit code (a DWORD)"),
    # WTSSendMessageW: "Timeout [in] The time, in seconds, that the WTSSendMessage function waits" (a DWORD);
    # the other timeouts are counted by the module itself and get the same range.
    "timeout": (0, DWORD_MAX, "seconds (a DWORD)"),
    "default_button": (1, 3, "a button number"),
    # compared with the server's idle and disconnected times; never passed to Windows
    "min_idle_seconds": (0, DWORD_MAX, "seconds"),
    "min_disconnected_seconds": (0, DWORD_MAX, "seconds"),
    # the reply is joined in memory and sent back as base64 in the task's result; never passed to Windows
    "max_reply_bytes": (1, 64 * 1024 * 1024, "bytes (at most 64 MiB)"),
}
# Every float option of the collection, by name: (lowest, highest, what Windows takes); inf and nan never fit.
FLOAT_RANGES = {
    "timeout": (0.0, _LONGEST_READ_SECONDS, "seconds (milliseconds of a ULONG below INFINITE)"),
}
# Options whose items name what a task acts on: an empty name never means "anything" or "this host".
NAME_OPTIONS = ("server", "username", "name")


def option_problems(argument_spec, params):
    """Why the validated ``params`` of a module with ``argument_spec`` cannot reach Windows as given: a list
    of messages, each naming its option (empty when all is well)."""
    problems = []
    for option, spec in argument_spec.items():
        value = params.get(option)
        if value is None:
            continue
        kind = spec.get("elements") if spec.get("type") == "list" else spec.get("type", "str")
        items = value if isinstance(value, list) else [value]
        if option == "server":
            problem = server_list_problem(value)
            if problem:
                problems.append(problem)
                continue
        for item in items:
            problem = _item_problem(option, kind, item, spec.get("required", False))
            if problem:
                problems.append(problem)
                break
    return problems


def _item_problem(option, kind, item, required):
    if kind == "int" and isinstance(item, int) and option in INTEGER_RANGES:
        low, high, what = INTEGER_RANGES[option]
        if not low <= item <= high:
            return "%s %d does not fit: give %s from %d to %d" % (option, item, what, low, high)
    elif kind == "float" and isinstance(item, float) and option in FLOAT_RANGES:
        low, high, what = FLOAT_RANGES[option]
        if not (math.isfinite(item) and low <= item <= high):
            return "%s %s does not fit: give %s from %g to %g" % (option, item, what, low, high)
    elif kind == "str" and isinstance(item, str):
        if "\x00" in item:
            return ("%s: a NUL character ends the text at the Windows call, and would cut what follows it; "
                    "remove it" % option)
        if option in NAME_OPTIONS and not item.strip():
            return "%s: an empty name selects nothing; give a name%s" % (
                option, "" if required else ", or leave %s out" % option)
    return None
