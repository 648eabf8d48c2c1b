# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: validate_host_report
short_description: The verdicts of the host self-check (playbooks/validate_host.yml)
version_added: 0.1.0
description:
  - Turns what C(playbooks/validate_host.yml) recorded on one real RD Session Host into a verdict per
    assumption that Microsoft's documentation leaves open or that the collection relies on, each V(PASS)
    (the host behaves as stated), V(FAIL) (it does not; RV(_value.assumptions[].observed) says what it did) or
    V(UNKNOWN) (the check could not be made; RV(_value.assumptions[].observed) says why).
  - The assumptions, in order, by name; docs/testing.md explains each.
  - V(disconnected_rdp_protocol) - a disconnected RDP session of the test user reports the RDP protocol
    type (2), not the console's (0).
  - V(cpu_time_unit) - C(WTS_PROCESS_INFO_EX) counts C(UserTime)/C(KernelTime) in milliseconds, as its page says
    (M(wtsadmin.rds.win_rds_process_info) checks the unit on the host and reports it).
  - V(dynamic_channel) - a dynamic virtual channel (by default the C(ECHO) endpoint every Remote Desktop client
    offers) opens into the test session from the session the task runs in (WinRM's).
  - V(lock_flag) - the test session that the admin locked is reported with C(locked) true.
  - V(server_version) - C(NetServerGetInfo) reads the host's Windows version (needed to correct the lock flag
    of Windows Server 2008 R2).
  - V(powershell_command) - the collection's one PowerShell command starts Python and runs the modules end to
    end (only over a PowerShell connection, that is WinRM, PSRP or OpenSSH with PowerShell).
  - V(bytecode_cache) - the runner's bytecode cache in C(%LOCALAPPDATA%\wtsadmin.rds\bytecode) passes its ACL
    checks on this host, so tasks load compiled code. After the modules ran it holds entries, which the runner
    writes only when the checks passed (only over a PowerShell connection, which counts them).
options:
  _input:
    description:
      - What the playbook recorded, a dict. C(connection) is the connection plugin's name and C(powershell)
        whether it runs PowerShell commands. C(sessions), C(processes) and C(servers) are the registered
        results of M(wtsadmin.rds.win_rds_session_info) (every session), M(wtsadmin.rds.win_rds_process_info)
        and M(wtsadmin.rds.win_rds_server_info), C(wait) of M(wtsadmin.rds.win_rds_wait). C(locked) and C(disconnected) are the results of
        M(wtsadmin.rds.win_rds_session_info) selecting the active sessions of C(locked_user) and the
        disconnected ones of C(disconnected_user) (the test users, or null). C(channel) is the result of
        M(wtsadmin.rds.win_rds_virtual_channel), C(changes) whether the run may change anything, C(build) the
        Windows build as text, or null. C(cache) is the registered result of the PowerShell that counts the bytecode
        cache's entries (its stdout C(entries N), C(no cache directory) or C(LOCALAPPDATA is not set)).
      - A result that is missing, skipped or failed makes the checks that need it V(UNKNOWN) (or V(FAIL) where
        the failure is the answer).
    type: dict
    required: true
author: wtsadmin.rds contributors
"""

EXAMPLES = r"""
# playbooks/validate_host.yml records more; with only the two lists, the other checks are UNKNOWN.
- name: List the sessions
  wtsadmin.rds.win_rds_session_info:
  register: validate_host_sessions

- name: List the processes
  wtsadmin.rds.win_rds_process_info:
  register: validate_host_processes

- name: Decide the verdicts
  ansible.builtin.set_fact:
    validate_host_result: "{{ validate_host_facts | wtsadmin.rds.validate_host_report }}"
  vars:
    validate_host_facts:
      connection: "{{ ansible_connection | default('ssh') }}"
      powershell: "{{ ansible_connection | default('ssh') in ['winrm', 'psrp'] }}"
      sessions: "{{ validate_host_sessions }}"
      processes: "{{ validate_host_processes }}"

- name: Print the report
  ansible.builtin.debug:
    msg: "{{ validate_host_result.lines }}"
"""

RETURN = r"""
_value:
  description: The verdicts and a short report.
  type: dict
  contains:
    assumptions:
      description: One entry per assumption, in the order above.
      type: list
      elements: dict
      contains:
        name:
          description: The assumption's name, for example V(lock_flag).
          type: str
        verdict:
          description: V(PASS), V(FAIL) or V(UNKNOWN).
          type: str
        observed:
          description: What the host did, or why the check could not be made.
          type: str
    build:
      description: The Windows build the host reported, or V(unknown).
      type: str
    counts:
      description: How many assumptions got each verdict, keyed by V(PASS), V(FAIL) and V(UNKNOWN).
      type: dict
    lines:
      description:
        - The report as lines of text, one per assumption after a heading with the build, then one per
          read-only module (ran, or why not).
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

PASS = "PASS"
FAIL = "FAIL"
UNKNOWN = "UNKNOWN"
# Part of the lock flag's warning when NetServerGetInfo failed (module_utils/_sessions.py writes it).
VERSION_UNREAD = "could not be read"


def _failed(result):
    return not isinstance(result, dict) or bool(result.get("failed")) or bool(result.get("skipped"))


def _why(result):
    if not isinstance(result, dict):
        return "the task did not run"
    if result.get("skipped"):
        return "the task was skipped"
    return " ".join(str(result.get("msg") or result.get("module_stderr") or "it failed").split())[:300]


def _test_sessions(facts, key, kind):
    """``(user, sessions, None)``: the test user named by ``facts[key + "_user"]`` and the sessions
    win_rds_session_info selected for it (registered as ``facts[key]``), or ``(user, None, why)`` when there
    is nothing to judge. ``kind`` is the state the sessions were selected by, for the reason."""
    user, result = facts.get(key + "_user"), facts.get(key)
    if not user:
        return user, None, "no test session given (validate_host_%s_user)" % key
    if _failed(result):
        return user, None, "win_rds_session_info failed: %s" % _why(result)
    if not result.get("sessions"):
        return user, None, "%s has no %s session on this host" % (user, kind)
    return user, result["sessions"], None


def _ids(sessions):
    return ", ".join(str(session.get("session_id")) for session in sessions)


def disconnected_rdp_protocol(facts):
    user, sessions, why = _test_sessions(facts, "disconnected", "disconnected")
    if why:
        return UNKNOWN, why
    protocols = sorted({str(session.get("client_protocol")) for session in sessions})
    observed = "session %s of %s reports protocol %s" % (_ids(sessions), user, ", ".join(protocols))
    return (PASS if protocols == ["rdp"] else FAIL), observed


def cpu_time_unit(facts):
    result = facts.get("processes")
    if _failed(result):
        return UNKNOWN, "win_rds_process_info failed: %s" % _why(result)
    server = (result.get("servers") or [{}])[0]
    unit = server.get("cpu_time_unit")
    if not server.get("cpu_time_unit_checked"):
        return UNKNOWN, ("the unit could not be checked on this host (the task's own process had used too little "
                         "CPU time, or GetProcessTimes failed); the documented %s was used" % unit)
    return (PASS if unit == "ms" else FAIL), "UserTime/KernelTime count in %s (checked with GetProcessTimes)" % unit


def dynamic_channel(facts):
    result = facts.get("channel")
    if not facts.get("changes"):
        return UNKNOWN, "not tried: opening a channel writes to the test user's client (validate_host_changes=true)"
    if not isinstance(result, dict) or result.get("skipped"):
        return UNKNOWN, "not tried: the locked test user has no active session (validate_host_locked_user)"
    if result.get("failed"):
        return FAIL, "it did not open: %s" % _why(result)
    return PASS, "it opened; the client %s" % ("echoed the data" if result.get("reply_base64") else "did not answer")


def lock_flag(facts):
    user, sessions, why = _test_sessions(facts, "locked", "active (connected)")
    if why:
        return UNKNOWN, why
    flags = {session.get("locked") for session in sessions}
    observed = "session %s of %s reports locked %s" % (
        _ids(sessions), user, ", ".join(sorted("null" if flag is None else str(flag).lower() for flag in flags)))
    if flags == {True}:
        return PASS, observed
    if None in flags:
        return UNKNOWN, observed + " (Windows does not know)"
    return FAIL, observed


def server_version(facts):
    result = facts.get("sessions")
    if _failed(result):
        return UNKNOWN, "win_rds_session_info failed: %s" % _why(result)
    unread = [warning for warning in result.get("warnings") or [] if VERSION_UNREAD in warning]
    if unread:
        return FAIL, " ".join(unread[0].split())[:300]
    if not any(session.get("locked") is not None for session in result.get("sessions") or []):
        return UNKNOWN, "not read: no session reported a lock state, so win_rds_session_info did not need it"
    return PASS, "NetServerGetInfo answered (win_rds_session_info gave no warning)"


def powershell_command(facts):
    connection = facts.get("connection")
    if not facts.get("powershell"):
        return UNKNOWN, "not a PowerShell connection (%s): the collection's command is not PowerShell here" % connection
    for key, module in (("sessions", "win_rds_session_info"), ("processes", "win_rds_process_info")):
        if _failed(facts.get(key)):
            return FAIL, "%s did not run: %s" % (module, _why(facts.get(key)))
    return PASS, "win_rds_session_info and win_rds_process_info ran over %s" % connection


def bytecode_cache(facts):
    if not facts.get("powershell"):
        return UNKNOWN, "not a PowerShell connection (%s): the entries are counted with PowerShell" % facts.get("connection")
    if _failed(facts.get("sessions")):
        return UNKNOWN, "no module ran, so nothing could be cached: %s" % _why(facts.get("sessions"))
    result = facts.get("cache")
    if _failed(result):
        return UNKNOWN, "the entries could not be counted: %s" % _why(result)
    answer = " ".join(str(result.get("stdout") or "").split())
    where = "%LOCALAPPDATA%\\wtsadmin.rds\\bytecode"
    if answer == "LOCALAPPDATA is not set":
        return FAIL, "LOCALAPPDATA is not set for this connection's logon: no cache, every task compiles its sources"
    if answer.startswith("entries ") and answer[len("entries "):].isdigit():
        count = int(answer[len("entries "):])
        if count:
            return PASS, "%d entries in %s: its ACL checks passed, tasks load compiled code" % (count, where)
        answer = "no entry"
    if answer in ("no entry", "no cache directory"):
        return FAIL, ("%s in %s after the modules ran: the runner's ACL checks refused it (docs/security.md, "
                      "\"The bytecode cache on the host\"), so every task compiles its sources" % (answer, where))
    return UNKNOWN, "the count gave %r" % answer[:200]


CHECKS = (disconnected_rdp_protocol, cpu_time_unit, dynamic_channel, lock_flag, server_version, powershell_command,
          bytecode_cache)


def validate_host_report(facts):
    """The verdict of each check on ``facts`` (see DOCUMENTATION), the counts and the report's lines."""
    if not isinstance(facts, dict):
        raise AnsibleFilterError("validate_host_report expects a dict of recorded results, got %s"
                                 % type(facts).__name__)
    assumptions = []
    for check in CHECKS:
        verdict, observed = check(facts)
        assumptions.append({"name": check.__name__, "verdict": verdict, "observed": observed})
    build = str(facts.get("build") or "unknown")
    counts = {verdict: sum(1 for item in assumptions if item["verdict"] == verdict) for verdict in (PASS, FAIL, UNKNOWN)}
    lines = ["Windows build %s: %d PASS, %d FAIL, %d UNKNOWN" % (build, counts[PASS], counts[FAIL], counts[UNKNOWN])]
    lines.extend("%-7s %-25s %s" % (item["verdict"], item["name"], item["observed"]) for item in assumptions)
    for key, module in (("sessions", "win_rds_session_info"), ("processes", "win_rds_process_info"),
                        ("servers", "win_rds_server_info"), ("wait", "win_rds_wait")):
        result = facts.get(key)
        lines.append("module  %-25s %s" % (module, "not run" if result is None else
                                           "failed: " + _why(result) if _failed(result) else "ran"))
    return {"assumptions": assumptions, "build": build, "counts": counts, "lines": lines}


class FilterModule:
    """The host self-check's verdicts."""

    def filters(self):
        return {"validate_host_report": validate_host_report}
