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
    ERROR_GEN_FAILURE,
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
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import SESSION_GONE, is_local_server

# The Remote Desktop Services permission each call needs, from the Remarks of each function's page in sdk-api
# wtsapi32: "To enumerate a session, you must enable the query information permission" (wtsenumeratesessionsw;
# wtsenumeratesessionsexw: "the Query Information permission"), "To query information for another user's
# session, you must have Query Information permission" (wtsquerysessioninformationw), "... you need to have the
# Disconnect permission" (wtsdisconnectsession), "... the Reset permission" (wtslogoffsession), "... the Message
# permission" (wtssendmessagew), "you need to have permission from the Virtual Channel" (wtsvirtualchannelopen).
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
# wtsenumerateprocessesexw: "The caller must be a member of the Administrators group to enumerate processes that
# are running under another user session." (No such sentence on LookupAccountSidW, WTSTerminateProcess or
# WTSShutdownSystem: they get their own explanations below.)
_ADMINISTRATORS_ONLY = ("WTSEnumerateProcessesW", "WTSEnumerateProcessesExW")
# The minimum Windows of the functions that not every supported Windows has (the Requirements of each page).
_MINIMUM_WINDOWS = dict.fromkeys(
    ("WTSEnumerateSessionsExW", "WTSEnumerateProcessesExW", "WTSOpenServerExW", "WTSFreeMemoryExW"),
    "Windows 7 / Windows Server 2008 R2")
_MINIMUM_WINDOWS.update(dict.fromkeys(("WTSVirtualChannelOpenEx", "GetComputerNameExW"),
                                      "Windows Vista / Windows Server 2008"))
# WinRM's second hop: a task reaching another server with the credentials it was started with.
_DOUBLE_HOP = (
    " If the account is an administrator there, the WinRM second hop is the likely cause: with NTLM, or Kerberos "
    "without delegation, the host the task runs on cannot use your credentials towards another server. Use CredSSP "
    "or Kerberos delegation, or run the task on that server itself (as its inventory host or with delegate_to) "
    "without server."
)

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
    ERROR_NOT_SUPPORTED: ("The server's Windows does not support this call or this information class (an Ex "
                          "function missing there is replaced by the older one without an error)."),
    ERROR_INVALID_DATA: ("Windows answered in a form the collection does not know; report it with the -vvv output "
                         "and the server's Windows build."),
    ERROR_BAD_NETPATH: _UNREACHABLE,
    ERROR_CALL_NOT_IMPLEMENTED: ("The task did not run on Windows: point ansible_python_interpreter at a Python "
                                 "on the Windows host."),
    ERROR_PROC_NOT_FOUND: "This version of Windows lacks the function.",
    # wtsvirtualchannelopenex: "NULL on error with GetLastError set": the SDK names no codes, so 1168 and 31
    # are told as what they are known to go with, not as a documented cause.
    ERROR_NOT_FOUND: ("Windows found no such channel for this session (the SDK documents no cause for 1168). Known "
                      "reasons: the client has not loaded the plug-in that offers it, the name differs (static "
                      "names are at most 7 characters, dynamic names must match exactly), or the session has no "
                      "client connected."),
    ERROR_GEN_FAILURE: ("The channel stopped working (the SDK documents no cause for 31); it is seen when the "
                        "session's client disconnected or closed the channel: open it again once the client is "
                        "connected."),
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
    entry.update(result="failed", error=explain(error, what, server))


def explain(error, what=None, server=None):
    """The admin's message for a WinApiError: function, server, object ``what``, [code] text, the likely fix.

    The server is the one the error carries: wts.open_server names it on every error raised inside its
    ``with`` block, and the netapi calls on theirs. ``server`` is for an error caught inside that block,
    before open_server saw it (a failure of one session or process).

    ``WTSLogoffSession failed on RDSH01 for session 4 (CONTOSO\\carol): [5] Access is denied.`` followed,
    on a second line, by what to do about it.
    """
    message = "%s failed" % error.function
    if error.server or server:
        message += " on %s" % (error.server or server)
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
    if error.code == ERROR_PROC_NOT_FOUND and error.function in _MINIMUM_WINDOWS:
        return "This version of Windows lacks %s, which needs %s or later." % (
            error.function, _MINIMUM_WINDOWS[error.function])
    if error.code != ERROR_ACCESS_DENIED:
        return _FIXES.get(error.code)
    return _access_denied(error) + (_DOUBLE_HOP if error.server and not is_local_server(error.server) else "")


def _access_denied(error):
    if error.function in _PERMISSIONS:
        return ("The connecting account needs the \"%s\" permission on the RDP-Tcp listener, or local "
                "Administrators." % _PERMISSIONS[error.function])
    if error.function in _ADMINISTRATORS_ONLY:
        return "The connecting account must be a member of the server's local Administrators group."
    if error.function == "WTSShutdownSystem":
        # wtsshutdownsystem: "the calling process must have the SE_SHUTDOWN_NAME privilege enabled"
        return ("The connecting account may not shut the server down: it needs the shutdown privilege there "
                "(SeShutdownPrivilege, or SeRemoteShutdownPrivilege over RPC), which local Administrators hold.")
    if error.function == "LookupAccountSidW":
        # lookupaccountsidw documents no rights for the caller: the account database refused this one.
        return "The server's account database (or its domain's) refused to name the account to this user."
    # wtsterminateprocess and the others name no rights; administrators may do all of it.
    return "The connecting account needs more rights on the server; local Administrators have them all."
