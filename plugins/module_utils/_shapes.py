# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The shape of every dict the modules return, declared once: each object of a result list (a session, a
# process, a wait event, ...), each server's entry, and each module's whole result. The functions that build
# them are annotated with these names; tests/unit/plugins/module_utils/test__shapes.py checks each module's
# RETURN documentation against its result shape, both ways, and what the modules return against the emulated
# host against the shapes.
#
# For type checkers and readers only: the modules import this under ``if TYPE_CHECKING:``, which the payload
# leaves out (plugins/plugin_utils/_payload.py), so the host never loads it and the payload does not grow.
#
# A result list of a module that works several servers (_fanout.finish) carries each object's ``server``
# first (``OnServer``); its ``servers`` list holds one summary per server, without the lists and warnings the
# server's work returned (the ``*Work`` shapes: what the work function of one server returns).
#
# The annotations say what a function returns; the work grows some dicts in place on their way there (a
# Session becomes a SessionChange with update()), which a strict type checker does not follow: the tests,
# not a type checker, hold the shapes to what the modules return.

import datetime
from typing import Dict, List, Optional, TypedDict, Union


class OnServer(TypedDict, total=False):
    """What _fanout.finish puts first on each object of a result list: the server it came from (None: this host)."""

    server: Optional[str]


class Failure(TypedDict, total=False):
    """What _errors.record_failure puts on an object whose call failed (``result`` ``failed``)."""

    error: str


# Sessions

class ClientDisplay(TypedDict):
    """WTSCLIENTW's display of a session's client (``client_display``)."""

    width: int
    height: int
    color_depth: int


class ListedSession(TypedDict):
    """One session of wts.enumerate_sessions."""

    session_id: int
    state: str
    session_name: Optional[str]
    host_name: Optional[str]
    username: Optional[str]
    domain: Optional[str]
    farm_name: Optional[str]


class SessionFacts(TypedDict):
    """What the wrapper's session details and the modules' sessions share (wts.session_details)."""

    session_id: int
    session_name: Optional[str]
    state: str
    username: Optional[str]
    domain: Optional[str]
    locked: Optional[bool]
    client_name: Optional[str]
    client_address: Optional[str]
    client_address_family: Optional[str]
    client_build: int
    client_directory: Optional[str]
    client_product_id: int
    client_hardware_id: int
    client_display: ClientDisplay
    client_protocol: Optional[str]
    is_remote: bool
    incoming_bytes: int
    outgoing_bytes: int
    incoming_frames: int
    outgoing_frames: int
    incoming_compressed_bytes: int
    outgoing_compressed_bytes: int


class SessionDetails(SessionFacts):
    """What wts.session_details tells of one session: the facts, with the times as aware UTC datetimes
    (``current_time`` the server's clock) and ``locked`` the raw flag (see _sessions.LockFlag)."""

    logon_time: Optional[datetime.datetime]
    connect_time: Optional[datetime.datetime]
    disconnect_time: Optional[datetime.datetime]
    last_input_time: Optional[datetime.datetime]
    current_time: Optional[datetime.datetime]


class Session(OnServer, SessionFacts):
    """A session as win_rds_session_info returns it (_sessions.session_entry and the corrected lock state):
    the facts, the times in ISO 8601 UTC, ``user``, the idle times on the server's clock, and the names of
    its server and farm. Its keys are win_rds_session_info's ``fields`` (_sessions.SESSION_FIELDS)."""

    user: Optional[str]
    logon_time: Optional[str]
    connect_time: Optional[str]
    disconnect_time: Optional[str]
    last_input_time: Optional[str]
    idle_seconds: Optional[int]
    disconnected_seconds: Optional[int]
    host_name: Optional[str]
    farm_name: Optional[str]


class SessionChange(Session, Failure):
    """A session win_rds_session selected: the session, its state before and what was done to it."""

    previous_state: str
    result: str


class SessionMessage(Session, Failure):
    """A session win_rds_message selected: the session, whether the message went out and the user's answer."""

    result: str
    answer: Optional[str]


class ProtectedSession(OnServer):
    """A session a guardrail left alone although it passed every filter (_sessions.list_sessions)."""

    session_id: int
    user: Optional[str]
    reason: str


class SessionSummary(OnServer):
    """A session as win_rds_wait returns it (_waiting.session_summary)."""

    session_id: int
    session_name: Optional[str]
    state: str
    user: Optional[str]


class WaitEvent(OnServer):
    """One wake-up of win_rds_wait that brought session events."""

    names: List[str]
    time: str
    after_seconds: float


# Processes

class ProcessCounters(TypedDict):
    """The counters of WTS_PROCESS_INFO_EX that a process carries from the listing to the result; None where
    Windows has no WTSEnumerateProcessesExW."""

    threads: Optional[int]
    handles: Optional[int]
    working_set: Optional[int]
    peak_working_set: Optional[int]
    pagefile_usage: Optional[int]
    peak_pagefile_usage: Optional[int]


class ListedProcess(ProcessCounters):
    """One process of wts.enumerate_processes: the counters and the raw CPU times (see
    _processes.cpu_time_unit) are None where Windows has no WTSEnumerateProcessesExW."""

    pid: int
    name: str
    session_id: int
    sid: Optional[str]
    user: Optional[str]
    private_pages: Optional[int]
    user_time: Optional[int]
    kernel_time: Optional[int]


class ProcessIdentity(OnServer):
    """What names a process in every result (_processes.identify)."""

    pid: int
    name: str
    session_id: int
    user: Optional[str]


class Process(ProcessIdentity, ProcessCounters):
    """A process as win_rds_process_info returns it (_processes.process_entry); its keys are the module's
    ``fields`` (_processes.PROCESS_FIELDS). The counters are None where Windows has no WTSEnumerateProcessesExW."""

    sid: Optional[str]
    user_cpu_seconds: Optional[float]
    kernel_cpu_seconds: Optional[float]


class ProcessEnd(ProcessIdentity, Failure):
    """A process win_rds_process ended (or would end, or failed to)."""

    previous_state: str
    state: str
    result: str


class ProtectedProcess(ProcessIdentity):
    """A process win_rds_process left running because ending it needs ``force``."""

    reason: str


# Servers

class ServerEntry(TypedDict, total=False):
    """One server's summary under ``servers`` (_fanout.for_each_server): the server given (None: this host),
    whether its work failed, and why. A failed server has no other keys."""

    server: Optional[str]
    failed: bool
    msg: str


class ChangeServer(ServerEntry, total=False):
    """The summary of a server of win_rds_session, win_rds_message and win_rds_process."""

    changed: bool


class SessionInfoServer(ServerEntry, total=False):
    """The summary of a server of win_rds_session_info: its session counts and logon mode (_logon.logon_report)."""

    counts: Dict[str, int]
    logon_mode: Optional[str]
    logon_policy: Optional[str]


class ProcessInfoServer(ServerEntry, total=False):
    """The summary of a server of win_rds_process_info: the unit of the CPU times."""

    cpu_time_unit: str
    cpu_time_unit_checked: bool


class WaitServer(ChangeServer, total=False):
    """The summary of a server of win_rds_wait."""

    waited_seconds: float
    timed_out: bool


class ShutdownServer(ChangeServer, total=False):
    """The summary of a server of win_rds_server with ``state`` (_shutdown.request_shutdown)."""

    previous_state: str
    state: str
    result: str
    user_sessions: int


class LogonServer(ChangeServer, total=False):
    """The summary of a server of win_rds_server with ``logons`` (_logon.change_logon_mode)."""

    previous_logon_mode: Optional[str]
    logon_mode: Optional[str]
    logon_policy: Optional[str]


class Warned(TypedDict, total=False):
    """What a server's work returns besides its summary: warnings, which _fanout.finish makes the task's."""

    warnings: List[str]


# What a task names specifically that a server does not have, by option (``session_id``, ``pid``, ``username``):
# _fanout.finish turns it into one warning for the task.
NotFound = Dict[str, list]


class Named(Warned, total=False):
    """What the work of a module that acts on named sessions or processes returns besides its summary."""

    not_found: NotFound


# Each module: what its work returns for one server (``*Work``) and its whole result (``*Result``): each key it
# returns besides Ansible's own (changed, failed, msg, warnings, diff, invocation), as its RETURN documents them.

# win_rds_session_info

class SessionInfoWork(SessionInfoServer, Warned, total=False):
    """What win_rds_session_info's work returns for one server."""

    sessions: List[Session]


class SessionInfoResult(TypedDict):
    """win_rds_session_info's result."""

    sessions: List[Session]
    counts: Dict[str, int]
    servers: List[SessionInfoServer]


# win_rds_session

class SessionChangeWork(ChangeServer, Named, total=False):
    """What win_rds_session's work returns for one server."""

    sessions: List[SessionChange]
    protected: List[ProtectedSession]


class SessionChangeResult(TypedDict):
    """win_rds_session's result."""

    sessions: List[SessionChange]
    protected: List[ProtectedSession]
    servers: List[ChangeServer]


# win_rds_message

class MessageWork(ChangeServer, Named, total=False):
    """What win_rds_message's work returns for one server."""

    sessions: List[SessionMessage]


class MessageResult(TypedDict):
    """win_rds_message's result."""

    sessions: List[SessionMessage]
    servers: List[ChangeServer]


# win_rds_process_info

class ProcessInfoWork(ProcessInfoServer, Warned, total=False):
    """What win_rds_process_info's work returns for one server."""

    processes: List[Process]


class ProcessInfoResult(TypedDict):
    """win_rds_process_info's result."""

    processes: List[Process]
    servers: List[ProcessInfoServer]


# win_rds_process

class ProcessEndWork(ChangeServer, Named, total=False):
    """What win_rds_process's work returns for one server."""

    processes: List[ProcessEnd]
    protected: List[ProtectedProcess]


class ProcessEndResult(TypedDict):
    """win_rds_process's result."""

    processes: List[ProcessEnd]
    protected: List[ProtectedProcess]
    servers: List[ChangeServer]


# win_rds_wait

class WaitWork(WaitServer, Warned, total=False):
    """What win_rds_wait's work returns for one server."""

    sessions: List[SessionSummary]
    events: List[WaitEvent]


class WaitResult(TypedDict):
    """win_rds_wait's result."""

    events: List[WaitEvent]
    sessions: List[SessionSummary]
    servers: List[WaitServer]


# win_rds_server

class ShutdownWork(ShutdownServer, Warned, total=False):
    """What win_rds_server's work with ``state`` returns for one server."""


class ServerResult(TypedDict):
    """win_rds_server's result: one of the two kinds of summary per server, by the task's option."""

    servers: List[Union[ShutdownServer, LogonServer]]


# win_rds_server_info

class NetServer(TypedDict):
    """A server as win_rds_server_info returns it (_servers.list_servers)."""

    name: str
    platform: Optional[str]
    version: str
    types: List[str]
    comment: Optional[str]


class ServerInfoResult(TypedDict, total=False):
    """win_rds_server_info's result (``error_code`` only when NetServerEnum failed)."""

    servers: List[NetServer]
    more_data: bool
    error_code: int


# win_rds_virtual_channel

class ChannelResult(TypedDict, total=False):
    """win_rds_virtual_channel's result (_channels.talk); ``client_data_base64`` only with query_client_data (null
    in check mode, which opens nothing)."""

    changed: bool
    session_id: int
    channel: str
    dynamic: bool
    written_bytes: int
    reply: Optional[str]
    reply_base64: Optional[str]
    client_data_base64: Optional[str]


# Module name -> the shape of its result.
RESULTS = {
    "win_rds_session_info": SessionInfoResult,
    "win_rds_session": SessionChangeResult,
    "win_rds_message": MessageResult,
    "win_rds_process_info": ProcessInfoResult,
    "win_rds_process": ProcessEndResult,
    "win_rds_wait": WaitResult,
    "win_rds_server": ServerResult,
    "win_rds_server_info": ServerInfoResult,
    "win_rds_virtual_channel": ChannelResult,
}
