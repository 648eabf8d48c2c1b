# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The RD Session Hosts a task works (``server``, farm-wide fan-out) and what a failure does (``on_error``).

    Matches ``plugins/module_utils/_fanout.py``'s ``server_spec()``.
    """

    DOCUMENTATION = r"""
options:
  server:
    description:
      - The RD Session Hosts to work, by NetBIOS name, DNS name or IP address.
      - When not set, the host the task runs on (no RPC is involved). Only an omitted O(server) means that
        host; an empty list (for example an empty inventory group in C("{{ groups['x'] }}")), an empty name
        or a name with a NUL character fails the task before any host is contacted.
      - A name means the host the task runs on only when it certainly does, that is V(localhost), V(.), a
        loopback address or one of the host's own IP addresses (C(GetUnicastIpAddressTable)), its NetBIOS
        or DNS host name, or its fully qualified DNS name (a dotted name must match all of it, so
        V(rdsh01.fabrikam.com) is not V(rdsh01.contoso.com)). No name is looked up in DNS. Any other name,
        and every name when the host's own names or addresses cannot be read, is reached over RPC, which
        works for the host itself too.
      - With one or more names, the host the task runs on reaches each server over RPC
        (C(WTSOpenServerExW)) and works them concurrently. A server that cannot be reached, or that
        refuses access, is reported in its own entry of C(servers) (C(failed) and C(msg)) and does not
        stop the others.
      - The result has the same shape whatever this option holds (unset, one name, a list) - one flat
        list per kind of object (C(sessions), C(processes), ...) whose items each carry their C(server)
        (null for the host itself), and C(servers), one summary per server in the order given, without
        its objects - so a playbook written for one server keeps working for a farm.
      - Remote servers must accept RPC over SMB from the host the task runs on (TCP 445, the
        C(File and Printer Sharing) firewall rule), have remote RPC enabled for Remote Desktop Services
        (registry value C(HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\AllowRemoteRPC) set to
        C(1)), and the connecting account needs the Remote Desktop Services permissions of the task on
        their C(RDP-Tcp) listener (or membership of their local Administrators group).
      - A single name may be given as a string.
      - Names that differ only in case, a leading C(\\\\) or a trailing dot name the same server; so do all
        the names of the host the task runs on (C(localhost), C(.), a loopback address, its own NetBIOS,
        host or full DNS name). Such names are worked once, under the first spelling given, and a warning
        names them. A short name and a DNS name of another server are not merged (only DNS could say they
        are one machine).
    type: list
    elements: str
  on_error:
    description:
      - What happens when a server cannot be worked or a Windows call fails for one object (for
        example C(Access is denied) when logging off one session).
      - Every server and every selected object is worked in any case; failures are collected.
      - V(fail) fails the task at the end, listing every failure in its C(msg).
      - V(warn) turns each failure into a warning; the task succeeds, and each failure stays visible in
        its server's or object's entry.
    type: str
    choices: [fail, warn]
    default: fail
notes:
  - One server that cannot be reached, or a Windows error on one session or process (for example
    C(Access is denied)), never stops the others. Each failure is reported in its server's or object's
    entry, with the Windows error and the most likely fix, and the task fails at the end unless
    O(on_error=warn).
seealso:
  - name: Remote Desktop Services permissions
    description: The permissions (C(Query Information), C(Message), C(Disconnect), C(Reset), ...) a connecting
      account needs on the C(RDP-Tcp) listener of each server.
    link: https://learn.microsoft.com/en-us/windows/win32/termserv/terminal-services-permissions
"""

    # The permission win_rds_session_info and win_rds_wait need.
    QUERY_INFORMATION = r"""
options: {}
notes:
  - The connecting account needs the C(Query Information) permission of Remote Desktop Services on each
    server (local Administrators have it).
"""
