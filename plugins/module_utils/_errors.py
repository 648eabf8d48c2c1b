# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Windows errors told the way a Windows admin can act on them: what failed where, on which object, the
# Windows code and text, then the one most likely fix. Works on the attributes of winapi.WinApiError
# (function, code, text, server); which codes mean "the session is gone" is wts.py's knowledge. Nothing here
# knows ctypes.

from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import (
    EPT_S_NOT_REGISTERED,
    ERROR_ACCESS_DENIED,
    ERROR_BAD_NETPATH,
    ERROR_CALL_NOT_IMPLEMENTED,
    ERROR_INVALID_DATA,
    ERROR_INVALID_HANDLE,
    ERROR_INVALID_PARAMETER,
    ERROR_MORE_DATA,
    ERROR_NO_BROWSER_SERVERS_FOUND,
    ERROR_NOT_ENOUGH_MEMORY,
    ERROR_NOT_FOUND,
    ERROR_NOT_SUPPORTED,
    ERROR_PRIVILEGE_NOT_HELD,
    ERROR_PROC_NOT_FOUND,
    RPC_S_CALL_FAILED,
    RPC_S_SERVER_UNAVAILABLE,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import SESSION_GONE

# The Remote Desktop Services permission each call needs on the listener (RDP-Tcp), after Microsoft's
# documentation of the function; Administrators hold them all.
_PERMISSIONS = {
    "WTSEnumerateSessionsW": "Query Information",
    "WTSEnumerateSessionsExW": "Query Information",
    "WTSQuerySessionInformationW": "Query Information",
    "WTSDisconnectSession": "Disconnect",
    "WTSLogoffSession": "Reset",
    "WTSSendMessageW": "Message",
    "WTSVirtualChannelOpen": "Virtual Channels",
    "WTSVirtualChannelOpenEx": "Virtual Channels",
}
_ADMINISTRATORS_ONLY = ("WTSEnumerateProcessesW", "WTSEnumerateProcessesExW", "WTSTerminateProcess",
                        "WTSShutdownSystem", "LookupAccountSidW")

_UNREACHABLE = (
    "Check that the server is up and its name resolves, that its firewall lets this host reach SMB (TCP 445, "
    "\"File and Printer Sharing\") and RPC, that Remote Desktop connections are allowed on it, and that its "
    "registry value HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\AllowRemoteRPC is 1."
)
_FIXES = dict.fromkeys(SESSION_GONE, "The session no longer exists: it ended meanwhile, or the session ID is wrong.")
_FIXES.update({
    ERROR_INVALID_HANDLE: "The connection to the server was lost; run the task again.",
    ERROR_NOT_ENOUGH_MEMORY: ("The server is short of memory (or of desktop heap for sessions); free some there "
                              "and run the task again."),
    ERROR_INVALID_PARAMETER: ("Windows rejected an argument of the call; the session, process or channel may have "
                              "ended meanwhile. Run the task again; if it persists, report it with the -vvv output."),
    ERROR_MORE_DATA: ("The answer changed while Windows was returning it; run the task again. If it persists, "
                      "report it with the -vvv output."),
    ERROR_NOT_SUPPORTED: "This version of Windows does not support the call.",
    ERROR_INVALID_DATA: ("Windows answered in a form the collection does not know; report it with the -vvv output "
                         "and the server's Windows build."),
    ERROR_BAD_NETPATH: _UNREACHABLE,
    ERROR_CALL_NOT_IMPLEMENTED: ("The task did not run on Windows: point ansible_python_interpreter at a Python "
                                 "on the Windows host."),
    ERROR_PROC_NOT_FOUND: "This version of Windows lacks the function; Windows Server 2008 or later is needed.",
    ERROR_NOT_FOUND: "The client of the session does not offer this virtual channel.",
    ERROR_PRIVILEGE_NOT_HELD: ("The connecting account lacks a privilege the call needs: WTSShutdownSystem needs "
                               "SeShutdownPrivilege enabled (SeRemoteShutdownPrivilege for a server reached over "
                               "RPC). Local Administrators hold both; the module enables SeShutdownPrivilege "
                               "itself but cannot grant it."),
    RPC_S_SERVER_UNAVAILABLE: _UNREACHABLE,
    RPC_S_CALL_FAILED: _UNREACHABLE,
    EPT_S_NOT_REGISTERED: _UNREACHABLE,
    ERROR_NO_BROWSER_SERVERS_FOUND: (
        "NetServerEnum needs the Computer Browser service (and SMB 1), which modern networks lack: list the "
        "servers in the inventory instead: the static_servers option of the rds_servers inventory, or an Active "
        "Directory inventory such as microsoft.ad.ldap."),
})


def record_failure(entry, error, server, what, vanished):
    """Put the WinApiError of one object (a session, a process) into its result ``entry``: ``result: vanished``
    when ``vanished`` (the object ended meanwhile: not a failure), else ``result: failed`` and the admin's
    ``error`` about ``what`` on ``server``."""
    if vanished:
        entry["result"] = "vanished"
        return
    error.server = error.server or server
    entry.update(result="failed", error=explain(error, what))


def explain(error, what=None):
    """The admin's message for a WinApiError: function, server, object ``what``, [code] text, the likely fix.

    ``WTSLogoffSession failed on RDSH01 for session 4 (CONTOSO\\carol): [5] Access is denied.`` followed,
    on a second line, by what to do about it.
    """
    message = "%s failed" % error.function
    if error.server:
        message += " on %s" % error.server
    if what:
        message += " for %s" % what
    message += ": [%d] %s" % (error.code, (error.text or "").strip() or "Windows error %d" % error.code)
    if not message.endswith("."):
        message += "."
    fix = _fix(error)
    return "%s\n%s" % (message, fix) if fix else message


_REMOTE_REGISTRY = (
    "Reading another server's logon mode goes through its registry: RegConnectRegistryW \"requires the Remote "
    "Registry service to be running on the remote computer\". Start the Remote Registry service (RemoteRegistry) "
    "on the server, or run the task on the server itself.")


def _fix(error):
    if error.function == "RegConnectRegistryW":
        return _REMOTE_REGISTRY
    if error.code == ERROR_INVALID_PARAMETER and error.function == "WTSTerminateProcess":
        return "The process ended meanwhile."
    if error.function == "LookupAccountSidW" and error.code != ERROR_ACCESS_DENIED:
        # winbase/nf-winbase-lookupaccountsidw, Remarks: SIDs "not recognized by the primary domain are checked
        # against the trusted domains"; a failure here is that domain (or its trust) not answering.
        return ("The server could not reach a domain controller that knows the account (its domain, a trust or "
                "the network is down); the owner is shown by its SID.")
    if error.code != ERROR_ACCESS_DENIED:
        return _FIXES.get(error.code)
    if error.function in _PERMISSIONS:
        return ("The connecting account needs the \"%s\" permission on the RDP-Tcp listener, or local "
                "Administrators." % _PERMISSIONS[error.function])
    if error.function in _ADMINISTRATORS_ONLY:
        return "The connecting account must be a member of the server's local Administrators group."
    return "The connecting account needs more rights on the server; local Administrators have them all."
