"""The logon mode of an emulated RD Session Host ("change logon"): its registry values, which logons and
reconnections it lets in, the emulated %SystemRoot%\\System32\\chglogon.exe, and what a reboot resets.

What is modelled, and the documentation each rule rests on:

- The four modes of ``change logon`` ("change logon", learn.microsoft.com/windows-server/administration/
  windows-commands/change-logon): /enable "Enables logons from client sessions, but not from the console";
  /disable "Disables subsequent logons from client sessions, but not from the console. Does not affect
  currently logged on users"; /drain "Disables logons from new client sessions, but allows reconnections to
  existing sessions"; /drainuntilrestart "Disables logons from new client sessions until the computer is
  restarted, but allows reconnections to existing sessions". "You must be an administrator to run this
  command." The page documents neither the exit code nor the output, so the emulated tool exits 0 on
  success and 1 on any failure, and prints English text that nothing should parse.
- Where the mode lives: VMware Horizon 7 "Drain mode for RDS hosts" (docs.vmware.com, GUID-89EDB3EE) maps
  each command to registry values: enable = WinStationsDisabled 0 and TSServerDrainMode 0; disable =
  WinStationsDisabled 1 ("The setting of the TSServerDrainMode registry key does not matter in this case");
  drainuntilrestart = WinStationsDisabled 0 and TSServerDrainMode 1; drain = TSServerDrainMode 2. The same
  numbers are Win32_TerminalServiceSetting.SessionBrokerDrainMode's (0 "Allow all connections", 1 "Allow
  reconnections, but prevent new logons until the server is restarted", 2 "Allow reconnections, but prevent
  new logons"). WinStationsDisabled (under ...\\Winlogon) is written as REG_SZ here, as Winlogon's values
  are; no Microsoft page gives its type, so readers must accept REG_SZ and REG_DWORD.
- Disabled also refuses reconnections: the RDS team's "Introducing Terminal Services Server Drain Mode"
  (2007) says the /disable of Windows Server 2003 "prevented users with disconnected sessions from
  reconnecting", which drain mode was made to avoid.
- Console logons are never refused ("but not from the console"); the blog adds that administrators "may
  still log on to the physical console".
- Restart: drain_until_restart ends at the restart ("until the computer is restarted"); the change logon
  page also says "Logons are re-enabled when you restart the system", a remark written when /enable and
  /disable were the only switches, so a restart also ends disabled. Plain drain survives it (the blog and
  the RD Session Host Configuration "User Logon Mode" dialog offer it as the mode that is not temporary).
- Group Policy "Allow users to connect remotely using Remote Desktop Services" (fDenyTSConnections under
  HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services, per Microsoft's "Troubleshoot an RDP
  general error in Azure VM"): "If you disable this policy setting, users cannot connect remotely ... The
  target computer will maintain any current connections, but will not accept any new incoming connections"
  (Windows Server 2008 R2 Group Policy reference, RD Session Host\\Connections). With it, no new logon and
  no reconnection gets in whatever the logon mode; chglogon.exe still changes the mode underneath.
  Microsoft documents no Group Policy that sets the logon mode itself.
"""

from __future__ import annotations

import os
import sys

from . import state as st
from .state import POLICY_KEY, REG_DWORD, REG_SZ, TERMINAL_SERVER_KEY, WINLOGON_KEY

DRAIN_VALUES = {"enabled": 0, "drain_until_restart": 1, "drain": 2}
SWITCHES = {"/enable": "enabled", "/disable": "disabled", "/drain": "drain", "/drainuntilrestart": "drain_until_restart"}
QUERY_TEXT = {"enabled": "Session logins are currently ENABLED",
              "disabled": "Session logins are currently DISABLED",
              "drain": "Session logins are currently DISABLED, but reconnections to existing sessions are ENABLED",
              "drain_until_restart": "Session logins are currently DISABLED, but reconnections to existing sessions "
                                     "are ENABLED until the next restart"}


# --- the registry of a server ---------------------------------------------------------------------

def find_key(server: dict, path: str):
    """The name in server["registry"] of the key ``path`` (case-insensitive), or None."""
    wanted = path.rstrip("\\").lower()
    for key in server["registry"]:
        if key.lower() == wanted:
            return key
    return None


def key_exists(server: dict, path: str) -> bool:
    """A key exists when it holds values or is the parent of one that does (hives always exist)."""
    wanted = path.rstrip("\\").lower()
    return "\\" not in wanted or any(key.lower() == wanted or key.lower().startswith(wanted + "\\")
                                     for key in server["registry"])


def value(server: dict, path: str, name: str):
    """The {"type", "data"} of a value, or None."""
    key = find_key(server, path)
    if key is None:
        return None
    for value_name, entry in server["registry"][key].items():
        if value_name.lower() == name.lower():
            return entry
    return None


def set_value(server: dict, path: str, name: str, kind: int, data) -> None:
    key = find_key(server, path) or path
    values = server["registry"].setdefault(key, {})
    for value_name in list(values):
        if value_name.lower() == name.lower():
            del values[value_name]
    values[name] = {"type": kind, "data": data}


def _number(entry):
    if entry is None:
        return 0
    try:
        return int(entry["data"])
    except (TypeError, ValueError):
        return None


# --- the mode and what it lets in -----------------------------------------------------------------

def logon_mode(server: dict) -> str:
    """enabled, drain, drain_until_restart, disabled, or unknown (a value chglogon.exe never writes)."""
    disabled = _number(value(server, WINLOGON_KEY, "WinStationsDisabled"))
    if disabled == 1:
        return "disabled"
    drain = _number(value(server, TERMINAL_SERVER_KEY, "TSServerDrainMode"))
    modes = {number: mode for mode, number in DRAIN_VALUES.items()}
    return modes.get(drain, "unknown") if disabled == 0 else "unknown"


def policy_denies_connections(server: dict) -> bool:
    return _number(value(server, POLICY_KEY, "fDenyTSConnections")) == 1


def refusal(server: dict, session: dict, reconnect: bool):
    """Why Windows refuses this logon (``reconnect``: to an existing disconnected session), or None."""
    if session.get("protocol") == "console":
        return None
    if policy_denies_connections(server):
        return "Group Policy: Allow users to connect remotely using Remote Desktop Services is disabled"
    mode = logon_mode(server)
    if mode == "disabled":
        return "logons are disabled"
    if mode in ("drain", "drain_until_restart") and not reconnect:
        return "the server is draining: only reconnections are allowed"
    return None


def record_refusal(state: dict, server: dict, session: dict, reconnect: bool, reason: str) -> None:
    server["refused_logons"].append({
        "session_id": session.get("id"), "user": session.get("user", ""), "reconnect": reconnect,
        "reason": reason, "time": st.format_time(st.server_now(state, server))})


def try_logon(state: dict, server: dict, session: dict) -> bool:
    """A new logon: the session is added unless the logon mode (or policy) refuses it."""
    reason = refusal(server, session, reconnect=False)
    if reason:
        record_refusal(state, server, session, False, reason)
        return False
    added = dict(session)
    st.with_defaults(added, st.SESSION_DEFAULTS)
    server["sessions"] = sorted(server["sessions"] + [added], key=lambda s: s["id"])
    return True


def try_reconnect(state: dict, server: dict, session_id: int, station: str = "RDP-Tcp#99") -> bool:
    """The user of a disconnected session connects again, unless refused."""
    session = st.find_session(server, session_id)
    if session is None or session["state"] != "disconnected" or not session["user"]:
        raise ValueError("session %s is not a disconnected user session" % session_id)
    reason = refusal(server, session, reconnect=True)
    if reason:
        record_refusal(state, server, session, True, reason)
        return False
    session.update(state="active", station=station, connect_time=st.format_time(st.server_now(state, server)))
    return True


def restart(server: dict) -> None:
    """What a restart does to the logon mode (see the module docstring)."""
    if _number(value(server, WINLOGON_KEY, "WinStationsDisabled")) == 1:
        set_value(server, WINLOGON_KEY, "WinStationsDisabled", REG_SZ, "0")
    if _number(value(server, TERMINAL_SERVER_KEY, "TSServerDrainMode")) == DRAIN_VALUES["drain_until_restart"]:
        set_value(server, TERMINAL_SERVER_KEY, "TSServerDrainMode", REG_DWORD, 0)


def set_mode(server: dict, mode: str) -> None:
    """What chglogon.exe writes for ``mode`` (VMware's mapping, module docstring)."""
    if mode == "disabled":
        set_value(server, WINLOGON_KEY, "WinStationsDisabled", REG_SZ, "1")
        return
    set_value(server, WINLOGON_KEY, "WinStationsDisabled", REG_SZ, "0")
    set_value(server, TERMINAL_SERVER_KEY, "TSServerDrainMode", REG_DWORD, DRAIN_VALUES[mode])


# --- the emulated chglogon.exe --------------------------------------------------------------------

def chglogon(state: dict, arguments) -> tuple:
    """(exit code, output) of ``chglogon.exe arguments`` on the state's local server."""
    state["calls"]["chglogon.exe"] = state["calls"].get("chglogon.exe", 0) + 1
    switches = [argument.lower() for argument in arguments]
    if len(switches) != 1 or switches[0] not in list(SWITCHES) + ["/query"]:
        return 1, "Invalid parameter(s)\nENABLE or DISABLE logons from client sessions.\n" \
                  "CHANGE LOGON {/QUERY | /ENABLE | /DISABLE | /DRAIN | /DRAINUNTILRESTART}"
    server = state["servers"][state["local_server"]]
    if switches[0] == "/query":
        return 0, QUERY_TEXT.get(logon_mode(server), "Session logins are in an unknown state")
    state["mutating_calls"].append({"function": "chglogon.exe", "server": state["local_server"],
                                    "args": {"switch": switches[0]}})
    for fault in list(state["faults"]):
        if fault.get("function") == "chglogon.exe":
            if fault.get("times") is not None:
                fault["times"] -= 1
                if fault["times"] <= 0:
                    state["faults"].remove(fault)
            return 1, "Error [%d]" % fault["error"]
    if not state["administrator"]:
        return 1, "Access denied. You must be an administrator to run this command."
    set_mode(server, SWITCHES[switches[0]])
    return 0, ""


def chglogon_main(arguments) -> int:
    """The program: works on the state file named by $RDS_EMULATOR_STATE."""
    path = os.environ.get("RDS_EMULATOR_STATE")
    if not path or not os.path.exists(path):
        sys.stderr.write("emulated chglogon.exe: RDS_EMULATOR_STATE names no state file\n")
        return 1
    with st.file_lock(path) as lock:
        state = st.load(path)
        code, output = chglogon(state, arguments)
        st.save(path, state, lock)
    if output:
        (sys.stdout if code == 0 else sys.stderr).write(output + "\n")
    return code
