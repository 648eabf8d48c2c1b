# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The logon mode of an RD Session Host, as `change logon` knows it: enabled, drain, drain_until_restart,
# disabled (docs/drain.md says what each lets in, and why the mechanisms below were chosen).
#
# Reading: the registry values the mode lives in, never the localized text of `change logon /query`.
#   TSServerDrainMode (HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server): 0 all connections, 1 no new
#   logons until the restart, 2 no new logons - the numbers of Win32_TerminalServiceSetting.SessionBrokerDrainMode
#   ("0 Allow all connections. 1 Allow reconnections, but prevent new logons until the server is restarted.
#   2 Allow reconnections, but prevent new logons.", MicrosoftDocs win32-terminalservicesetting). WinStationsDisabled
#   (HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon) 1 = logons disabled, "The setting of the
#   TSServerDrainMode registry key does not matter in this case" (VMware Horizon 7, "Drain mode for RDS hosts",
#   which maps every `change logon` switch to these values). Microsoft gives no type for WinStationsDisabled:
#   REG_SZ and REG_DWORD are both read. A missing value is read as 0, the value of a server never changed.
#   Anything else is reported as `unknown`.
# Changing: %SystemRoot%\System32\chglogon.exe (`change logon`), run on the host itself. It is the documented
#   way ("Enables or disables logons from client sessions", "change logon", Windows Commands reference) and
#   needs no restart. Writing the registry values is documented only together with a restart: Microsoft's
#   "Troubleshoot an RDP general error in Azure VM" sets TSServerDrainMode with `reg add` and then restarts the
#   VM. Win32_TerminalServiceSetting (Logons, SessionBrokerDrainMode: read/write properties, no Set method) would
#   need WMI through COM, which this collection's plain-Python modules do not have. The command "does not offer
#   a remote option" (and Microsoft documents neither its exit code nor its output), so: its exit code is
#   checked, the mode is read back from the registry afterwards, and another server's mode is never changed
#   from here (it is read through RegConnectRegistryW, which needs that server's Remote Registry service).
# Policy: Group Policy "Allow users to connect remotely using Remote Desktop Services" (fDenyTSConnections under
#   HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services) disabled means "users cannot connect
#   remotely ... will not accept any new incoming connections" (RD Session Host\Connections policy reference):
#   no logon and no reconnection gets in whatever the mode, so a mode that lets users in is refused instead
#   of reported as a change. Microsoft documents no Group Policy that sets the logon mode itself.

import codecs
import os
from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain
from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import for_each_server
from ansible_collections.wtsadmin.rds.plugins.module_utils.registry import read_values
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError, system_directory
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import is_local_server

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import LogonServer

LOGON_MODES = ("enabled", "drain", "drain_until_restart", "disabled")
CHGLOGON_SWITCHES = {"enabled": "/enable", "drain": "/drain", "drain_until_restart": "/drainuntilrestart",
                     "disabled": "/disable"}
_DRAIN_MODES = {0: "enabled", 1: "drain_until_restart", 2: "drain"}
CHGLOGON_TIMEOUT_SECONDS = 120

TERMINAL_SERVER_KEY = "SYSTEM\\CurrentControlSet\\Control\\Terminal Server"
WINLOGON_KEY = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"
POLICY_KEY = "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services"
POLICY_NAME = "Allow users to connect remotely using Remote Desktop Services"


def _number(value):
    """0 for a missing value, the number of a REG_DWORD or of a REG_SZ that holds one, else None."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    try:
        return int(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def mode_of(winstations_disabled, drain_mode):
    """The logon mode the two registry values mean (module comment), or ``unknown``."""
    disabled = _number(winstations_disabled)
    if disabled == 1:
        return "disabled"
    if disabled != 0:
        return "unknown"
    return _DRAIN_MODES.get(_number(drain_mode), "unknown")


def policy_text(server, deny_connections):
    """The sentence for the result when Group Policy refuses every remote connection, else None."""
    if _number(deny_connections) != 1:
        return None
    return ("Group Policy \"%s\" is disabled on %s (%s\\fDenyTSConnections = 1): Windows accepts no new remote "
            "connection, reconnections included, whatever the logon mode." % (POLICY_NAME, server or "this host",
                                                                              "HKLM\\" + POLICY_KEY))


def logon_state(server=None):
    """``{"logon_mode": ..., "logon_policy": text or None}`` of ``server`` (None or its own name: this host)."""
    remote = None if is_local_server(server) else server
    values = read_values(remote, {TERMINAL_SERVER_KEY: ["TSServerDrainMode"], WINLOGON_KEY: ["WinStationsDisabled"],
                                  POLICY_KEY: ["fDenyTSConnections"]})
    return {"logon_mode": mode_of(values[WINLOGON_KEY]["WinStationsDisabled"],
                                  values[TERMINAL_SERVER_KEY]["TSServerDrainMode"]),
            "logon_policy": policy_text(server, values[POLICY_KEY]["fDenyTSConnections"])}


DISABLED_NEEDS_CONFIRMATION = (
    "logons=disabled also refuses reconnections: users with a disconnected session cannot get back to their "
    "unsaved work. Set refuse_reconnections: true to confirm, or use logons: drain, which lets them reconnect. "
    "Nothing was changed.")


def logons_problem(mode, refuse_reconnections):
    """Why win_rds_server must not set logon ``mode``, as a message, or None: ``disabled`` needs
    ``refuse_reconnections`` to confirm that it also refuses reconnections."""
    return DISABLED_NEEDS_CONFIRMATION if mode == "disabled" and not refuse_reconnections else None


def set_logon_modes(servers, mode, check_mode):
    """win_rds_server logons: bring every server of ``servers`` to logon ``mode`` at once (change_logon_mode)."""
    return for_each_server(servers, lambda server: change_logon_mode(server, mode, check_mode))


def change_logon_mode(server, mode, check_mode) -> LogonServer:
    """Bring the logon mode of ``server`` (None: this host) to ``mode``; the server's entry of the result.

    Unchanged when it already is ``mode``. Refused (``failed`` with ``msg``, nothing changed) for another
    server, and when Group Policy keeps users out while ``mode`` would let them in. In check mode, says what
    would happen. After chglogon.exe the mode is read back: an exit code of 0 is not taken on trust.
    """
    before = logon_state(server)
    entry: LogonServer = {"previous_logon_mode": before["logon_mode"], "logon_mode": before["logon_mode"],
                          "logon_policy": before["logon_policy"], "changed": False}
    if before["logon_mode"] == mode:
        return entry
    if not is_local_server(server):
        return dict(entry, failed=True, msg=(
            "logons=%s: the logon mode of %s can only be changed on %s itself: chglogon.exe (change logon), the "
            "documented way to change it at once, has no remote option. Run this task on %s (put it in the "
            "inventory) without server. Its mode is %s; nothing was changed." % (
                mode, server, server, server, before["logon_mode"])))
    if before["logon_policy"] and mode != "disabled":
        return dict(entry, failed=True, msg=(
            "logons=%s cannot take effect: %s Nothing was changed; change the Group Policy setting first "
            "(gpresult /h report.html names the GPO that sets it)." % (mode, before["logon_policy"])))
    entry.update(changed=True, logon_mode=mode)
    if check_mode:
        return entry
    failure = _run_chglogon(mode)
    after = logon_state(server)["logon_mode"]
    entry["logon_mode"] = after
    if failure or after != mode:
        entry.update(failed=True, changed=after != before["logon_mode"], msg=failure or (
            "chglogon.exe %s reported success but the logon mode of %s is %s, not %s." % (
                CHGLOGON_SWITCHES[mode], server or "this host", after, mode)))
    return entry


def _run_chglogon(mode):
    """Run ``chglogon.exe`` with the switch of ``mode``; None when it exited 0, else why it failed."""
    # Imported here: subprocess costs several ms of a task's start on the host, and only a change of the logon
    # mode starts a program (docs/performance.md, "Host-side CPU").
    import subprocess

    program = os.path.join(system_directory(), "chglogon.exe")
    command = "%s %s" % (program, CHGLOGON_SWITCHES[mode])
    try:
        # AnsibleModule.run_command is not available here: ansible.module_utils.basic cannot be imported on
        # Windows CPython (docs/execution-model.md), so the one child process of the collection is started here.
        run = subprocess.run(  # pylint: disable=ansible-bad-function
            [program, CHGLOGON_SWITCHES[mode]], stdin=subprocess.DEVNULL, capture_output=True,
            timeout=CHGLOGON_TIMEOUT_SECONDS, check=False)
    except OSError as error:
        return "%s could not be started: %s. It comes with Windows Server's Remote Desktop Services." % (
            command, error)
    except subprocess.TimeoutExpired:
        return "%s did not finish within %d seconds." % (command, CHGLOGON_TIMEOUT_SECONDS)
    if run.returncode == 0:
        return None
    output = " ".join(_console_text(run.stdout + run.stderr).split())
    return "%s failed (exit code %d): %s It must run as a member of the local Administrators group." % (
        command, run.returncode, output or "no output.")


def _console_text(data):
    """Console output of a Windows program (the OEM code page there; UTF-8 elsewhere), never an exception."""
    try:
        codecs.lookup("oem")
        encoding = "oem"
    except LookupError:
        encoding = "utf-8"
    return data.decode(encoding, "replace")


def logon_diff(results):
    """The task's diff: each server's logon mode before and after (``this host`` for the host itself)."""
    before, after = {}, {}
    for entry in results:
        if "previous_logon_mode" in entry:
            label = entry["server"] or "this host"
            before[label], after[label] = entry["previous_logon_mode"], entry["logon_mode"]
    return {"before": before, "after": after}


def logon_report(server):
    """``(fields, warnings)`` for a session listing: ``logon_mode`` and ``logon_policy`` of ``server``; when they
    cannot be read (another server without its Remote Registry service), both are None and a warning says why.
    The listing itself does not fail for it."""
    try:
        return logon_state(server), []
    except WinApiError as error:
        error.server = error.server or server
        return {"logon_mode": None, "logon_policy": None}, ["logon_mode unknown: %s" % explain(error)]
