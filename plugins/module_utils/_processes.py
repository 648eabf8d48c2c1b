# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Processes of an RD Session Host as an admin thinks of them: which ones a task selects (by name with or
# without ".exe", pid, session, owner), which ones are never ended without `force` (the critical system
# processes and the process tree running the task itself), and the work of win_rds_process_info and
# win_rds_process on each server of a task. Windows is reached only through winapi.py and wts.py; nothing
# here knows ctypes.

import fnmatch
from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain, record_failure
from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import for_each_server, outcome, state_diff
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import (
    SERVICES_SESSION_ID,
    matches_any_name,
    matches_every_user,
    user_matches,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import (
    WinApiError,
    current_process_id,
    own_cpu_time,
    process_image_path,
    process_tree,
    system_directory,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import ERROR_INVALID_PARAMETER
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import (
    enumerate_processes,
    is_local_server,
    open_server,
    own_process_cpu_count,
    session_gone,
    terminate_process,
)

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import (
        ListedProcess,
        Process,
        ProcessEnd,
        ProcessEndWork,
        ProcessIdentity,
        ProcessInfoWork,
        ProtectedProcess,
    )

# Ending one of these takes the whole server down (or every session with it): refused unless `force`.
CRITICAL_PROCESS_NAMES = ("System", "smss.exe", "csrss.exe", "wininit.exe", "winlogon.exe", "services.exe",
                          "lsass.exe")
SELECTION_OPTIONS = ("name", "pid", "session_id", "username")
# What win_rds_process_info returns of a process besides identify(): the wrapper's keys, and the CPU times
# under clearer names.
_REPORTED = ("sid", "threads", "handles", "working_set", "peak_working_set", "pagefile_usage", "peak_pagefile_usage")
_CPU_SECONDS = (("user_cpu_seconds", "user_time"), ("kernel_cpu_seconds", "kernel_time"))
# Every key of a process as win_rds_process_info returns it (process_entry()): its ``fields``.
PROCESS_FIELDS = ("pid", "name", "session_id", "user") + _REPORTED + tuple(key for key, _source in _CPU_SECONDS)
# WTS_PROCESS_INFO_EX's CPU time counts per second, by unit (see cpu_time_unit).
CPU_COUNTS_PER_SECOND = {"ms": 1000, "100ns": 10000000}
MIN_CPU_TIME_TO_TELL = 100000  # 10 ms in 100-ns units


def program_name(name):
    """How a process name compares: lower case, without a trailing ".exe" (``NotePad.EXE`` -> ``notepad``)."""
    name = (name or "").lower()
    return name[:-4] if name.endswith(".exe") else name


_CRITICAL_PROGRAMS = frozenset(program_name(name) for name in CRITICAL_PROCESS_NAMES)


def name_matches(pattern, name):
    """True when the process ``name`` matches ``pattern``: case-insensitive, shell wildcards, ".exe" optional
    on either side (``notepad``, ``NOTEPAD.EXE``, ``note*`` and ``*.exe`` all match ``notepad.exe``)."""
    return fnmatch.fnmatchcase(program_name(name), program_name(pattern))


def process_selection_problem(params):
    """Why win_rds_process must not end what ``params`` select, as a message, or None: a selection whose every
    option matches every process (``name: '*'``, ``username: '*'``) would end them all, and there is no way
    to end every process."""
    given = {option: params[option] for option in SELECTION_OPTIONS if params.get(option) is not None}
    if given and all(_selects_everything(option, value) for option, value in given.items()):
        return ("%s select%s every process, and there is no way to end every process: narrow the selection "
                "(a name, pid, session_id or username that is not only wildcards)"
                % (" and ".join("%s %s" % item for item in given.items()), "s" if len(given) == 1 else ""))
    return None


def _selects_everything(option, patterns):
    if option == "name":
        return all(matches_any_name(program_name(pattern)) for pattern in patterns)
    if option == "username":
        return all(matches_every_user(pattern) for pattern in patterns)
    return False


def process_selection_spec():
    """The argument spec of the process selection (doc fragment ``wtsadmin.rds.process_selection``)."""
    return {
        "name": {"type": "list", "elements": "str"},
        "pid": {"type": "list", "elements": "int"},
        "session_id": {"type": "list", "elements": "int"},
        "username": {"type": "list", "elements": "str"},
    }


class ProcessSelection:
    """The processes a task selects: every option given must match; within a list, any item may.

    A process is a dict of ``wts.enumerate_processes`` (``pid``, ``name``, ``session_id``, ``user``, ``sid``).
    ``username`` patterns are those of ``_selection.user_matches`` (``DOMAIN\\\\user``, ``user@domain``,
    ``user``, wildcards); a process whose owner Windows cannot name is matched by its SID string instead.
    """

    def __init__(self, names=None, pids=None, session_ids=None, usernames=None):
        self.names = names
        self.pids = set(pids) if pids is not None else None
        self.session_ids = set(session_ids) if session_ids is not None else None
        self.usernames = usernames

    @classmethod
    def from_params(cls, params):
        return cls(params["name"], params["pid"], params["session_id"], params["username"])

    def not_found(self, processes):
        """What the task names specifically that none of a server's ``processes`` (all of them) is (issue #15:
        left alone, and the task warns): ``{"pid": [...], "session_id": [...], "username": [...]}``: pids not
        running, sessions without any process (every session runs some: there is no such session), usernames
        without wildcards that own no process."""
        exact_users = [pattern for pattern in self.usernames or () if not set("*?[").intersection(pattern)]
        return {"pid": sorted(set(self.pids or ()) - {process["pid"] for process in processes}),
                "session_id": sorted(set(self.session_ids or ()) - {process["session_id"] for process in processes}),
                "username": [pattern for pattern in exact_users
                             if not any(_owner_matches(pattern, process) for process in processes)]}

    def matches(self, process):
        return ((self.pids is None or process["pid"] in self.pids)
                and (self.session_ids is None or process["session_id"] in self.session_ids)
                and (self.names is None or any(name_matches(pattern, process["name"]) for pattern in self.names))
                and (self.usernames is None or any(_owner_matches(pattern, process) for pattern in self.usernames)))


def owner(process):
    """Who owns ``process``: ``DOMAIN\\user``, the SID string when Windows cannot name the account, or None."""
    return process["user"] or process["sid"]


def _owner_matches(pattern, process):
    name = owner(process)
    if not name:
        return False
    domain, _sep, username = name.rpartition("\\")
    return user_matches(pattern, domain or None, username)


def agent_processes(current_pid, snapshot):
    """The process running this task and its ancestors, as ``{pid: program name}``.

    ``snapshot`` lists this machine's processes (``winapi.process_tree``: pid, parent_pid, name). On Windows
    over WinRM the chain is python.exe, powershell.exe, wsmprovhost.exe or winrshost.exe, the WinRM
    svchost.exe, services.exe, wininit.exe. It stops at a parent that has exited (Windows keeps the
    orphan's parent pid) and at a loop. A pid reused since by another program can at worst protect one
    process too many, never one too few.
    """
    by_pid = {entry["pid"]: entry for entry in snapshot}
    chain = {}
    pid = current_pid
    while pid in by_pid and pid not in chain:
        chain[pid] = program_name(by_pid[pid]["name"])
        pid = by_pid[pid]["parent_pid"]
    return chain


def is_critical_name(process):
    """True when ``process`` is named like one of CRITICAL_PROCESS_NAMES (case-insensitive, with or without .exe)."""
    return program_name(process["name"]) in _CRITICAL_PROGRAMS


def outside_system_directory(path, directory):
    """True only when the program path ``path`` is known and lies outside the system ``directory`` (its folders
    included): when either is unknown (None), the program is never outside."""
    if not path or not directory:
        return False
    return not path.casefold().startswith(directory.rstrip("\\").casefold() + "\\")


def protection(process, agent, elsewhere=False):
    """Why ending ``process`` needs ``force`` (``critical system process``, ``runs this task``, ``service
    process in session 0``), or None.

    ``agent`` is ``agent_processes()`` for this machine, and empty for a server reached over RPC, whose pids
    are its own (there only the critical names and session 0 protect). A process belongs to the task's tree
    when both its pid and its program match. The critical names are protected in every session unless
    ``elsewhere`` (this machine told the program's path, and it lies outside the system directory: a
    ``csrss.exe`` in a user's folder is no system process); every process of session 0 (the services:
    svchost.exe, antivirus engines, the WinRM service) needs ``force`` too.
    """
    if is_critical_name(process) and not elsewhere:
        return "critical system process"
    if agent.get(process["pid"]) == program_name(process["name"]):
        return "runs this task"
    if process.get("session_id") == SERVICES_SESSION_ID:
        return "service process in session 0"
    return None


class _ProgramPaths:
    """Whether this machine's processes run a program outside the system directory (GetSystemDirectoryW, read
    once): ``outside(process)`` is True only when both paths are known and the program's is not under it."""

    def __init__(self):
        self._system_directory = False

    def outside(self, process):
        if self._system_directory is False:
            try:
                self._system_directory = system_directory()
            except WinApiError:
                self._system_directory = None  # unknown: every critical name stays protected
        return outside_system_directory(process_image_path(process["pid"]), self._system_directory)


def identify(process: ListedProcess) -> ProcessIdentity:
    """What names a process in every result: ``pid``, ``name``, ``session_id`` and ``user`` (see owner())."""
    return {"pid": process["pid"], "name": process["name"], "session_id": process["session_id"],
            "user": owner(process)}


def process_entry(process: ListedProcess, counts_per_second=CPU_COUNTS_PER_SECOND["ms"]) -> Process:
    """A process as win_rds_process_info returns it: identify() with the SID, the counters and the CPU times
    as ``user_cpu_seconds`` and ``kernel_cpu_seconds`` (Windows' counts divided by ``counts_per_second``)."""
    entry = identify(process)
    entry.update((key, process[key]) for key in _REPORTED)
    entry.update((key, None if process[source] is None else process[source] / counts_per_second)
                 for key, source in _CPU_SECONDS)
    return entry


def cpu_time_unit(wts_count, filetime_count):
    """Which unit WTS_PROCESS_INFO_EX's UserTime/KernelTime use on this host: ``100ns`` or ``ms``, from the
    same process's UserTime + KernelTime (``wts_count``) and GetProcessTimes' sum in 100-ns units
    (``filetime_count``); None when they cannot tell (a missing value, or less than 10 ms of CPU time).

    The structure's page says milliseconds; the host is reported to give NT's 100-ns units. The two readings
    differ by 10000, so a ratio above 1/100 (the process also ran a little between the two calls) means 100 ns.
    """
    if wts_count is None or not filetime_count or filetime_count < MIN_CPU_TIME_TO_TELL:
        return None
    return "100ns" if wts_count / filetime_count > 0.01 else "ms"


def settle_cpu_time_unit():
    """``(unit, checked, warnings)``: the unit this host uses (``cpu_time_unit`` on the task's own process), or
    the documented ``ms`` with ``checked`` False when it cannot be told (``warnings`` names a Windows error)."""
    try:
        count = own_process_cpu_count()
        unit = None if count is None else cpu_time_unit(count, own_cpu_time())
    except WinApiError as error:
        return "ms", False, ["CPU seconds are computed with the documented milliseconds, as the unit could not "
                             "be checked on this host: %s" % explain(error)]
    return (unit, True, []) if unit else ("ms", False, [])


def _selected(handle, server, selection):
    """The selected processes by pid, the warnings, and what the selection names that the server does not have
    (``ProcessSelection.not_found``): an owner Windows could not name for another reason than "no such
    account" (a broken trust, an unreachable domain controller) is shown by its SID string, and the server's
    other processes are listed as usual."""
    failures = []
    every = enumerate_processes(handle, server, failures)
    processes = [process for process in every if selection.matches(process)]
    warnings = ["Some process owners on %s are shown by their SID, as Windows could not name them: %s"
                % (server or "this host", explain(error).replace("\n", " ")) for error in failures]
    return sorted(processes, key=lambda process: process["pid"]), warnings, selection.not_found(every)


# win_rds_process_info

def report_processes(servers, selection):
    """win_rds_process_info: per server of ``servers``, the processes ``selection`` picks (all of them without
    a selection), and the CPU time unit used (``cpu_time_unit``: ``100ns`` or ``ms``; ``cpu_time_unit_checked``:
    whether it was told on this host with GetProcessTimes, once per task, or is the documented one). A server
    reached over RPC is taken to use the unit of the host the task runs on: the documentation is silent on both."""
    unit = settle_cpu_time_unit()
    return for_each_server(servers, lambda server: _report(server, selection, unit))


def _report(server, selection, unit) -> ProcessInfoWork:
    name, checked, unit_warnings = unit
    with open_server(server) as handle:
        processes, warnings, _not_found = _selected(handle, server, selection)
    return {"processes": [process_entry(process, CPU_COUNTS_PER_SECOND[name]) for process in processes],
            "warnings": unit_warnings + warnings, "cpu_time_unit": name, "cpu_time_unit_checked": checked}


# win_rds_process

def end_processes(servers, selection, force, exit_code, check_mode):
    """win_rds_process: end the processes of ``servers`` that ``selection`` picks, with ``exit_code``;
    ``(results, diff)``.

    Each process ended (or, in check mode, that would be) gets ``previous_state`` (``running``), ``state``
    (``absent``, or ``running`` when it failed) and ``result`` (``terminated``, ``vanished`` when it had
    ended meanwhile, ``failed`` with ``error``; ``would_terminate`` in check mode, which ends nothing).
    Protected processes are not ended without ``force``: they are listed under ``protected`` with the
    reason, and a warning names them.
    """
    agent = agent_processes(current_process_id(), process_tree())
    results = for_each_server(servers, lambda server: _end(server, selection, agent, force, exit_code, check_mode))
    return results, state_diff(results, "processes", _what)


def _end(server, selection, agent, force, exit_code, check_mode) -> ProcessEndWork:
    processes: list[ProcessEnd] = []
    protected: list[ProtectedProcess] = []
    # The task's own process chain is this machine's: a server reached over RPC has its own pids, and one
    # equal to a pid here is another process (only the critical names and session 0 protect there).
    local = is_local_server(server)
    own_chain = agent if local else {}
    # Only this machine tells a program's path (QueryFullProcessImageNameW); a remote server's critical names
    # are protected by name and session alone.
    path_of = _ProgramPaths() if local else None
    with open_server(server) as handle:
        selected, warnings, not_found = _selected(handle, server, selection)
        for process in selected:
            entry = identify(process)
            elsewhere = path_of is not None and not force and is_critical_name(process) and path_of.outside(process)
            reason = None if force else protection(process, own_chain, elsewhere)
            if reason:
                protected.append(dict(entry, reason=reason))
                continue
            entry.update(previous_state="running", state="absent", result=outcome("terminated", check_mode))
            if not check_mode:
                _terminate(handle, server, entry, exit_code)
            processes.append(entry)
    if protected:
        warnings.append("Left running on %s, as ending them needs force: true: %s" % (
            server or "this host", "; ".join("%s, %s" % (_what(p), p["reason"]) for p in protected)))
    return {"changed": any(p["result"] in ("terminated", "would_terminate") for p in processes), "processes": processes,
            "protected": protected, "warnings": warnings, "not_found": not_found}


def _terminate(handle, server, entry: ProcessEnd, exit_code):
    try:
        terminate_process(handle, entry["pid"], exit_code)
    except WinApiError as error:
        # 87: no such process (any more)
        gone = session_gone(error) or error.code == ERROR_INVALID_PARAMETER
        record_failure(entry, error, server, _what(entry), vanished=gone)
        if entry["result"] == "failed":
            entry["state"] = "running"


def _what(process):
    return "process %d (%s)" % (process["pid"], process["name"])
