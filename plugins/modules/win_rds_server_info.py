# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_rds_server_info
short_description: List the servers of a domain that the Computer Browser knows, by default RD Session Hosts
version_added: 0.1.0
description:
  - Calls C(NetServerEnum) on the Windows host and returns the servers of a domain or workgroup that
    announce one of the asked server types, by default the Remote Desktop Session Hosts
    (C(SV_TYPE_TERMINALSERVER)), with their platform, version, types and comment.
  - C(NetServerEnum) answers from the list that the Computer Browser service keeps. That service needs
    SMB 1.0; it is disabled by default since Windows Server 2012 and is not installed at all where SMB 1.0
    is not (Windows Server 2019 and Windows 10 1709 onwards). Without it the module fails with error 6118
    and says what to do instead (a static list of servers, or Active Directory).
  - The P(wtsadmin.rds.rds_servers#inventory) inventory plugin runs this module's code on its discovery host.
  - This module never changes anything.
options:
  domain:
    description:
      - The NetBIOS name of the domain or workgroup whose servers are listed, for example C(CONTOSO);
        not its DNS name.
      - Defaults to the primary domain of the host.
    type: str
  server_types:
    description:
      - The server types to list. A server is listed when it announces any of them.
      - Each name stands for one C(SV_TYPE_*) flag of C(lmserver.h), for example V(terminal_server) for
        C(SV_TYPE_TERMINALSERVER), V(domain_ctrl) for C(SV_TYPE_DOMAIN_CTRL), V(server) for any LAN Manager server.
    type: list
    elements: str
    default: [terminal_server]
    choices: [workstation, server, sqlserver, domain_ctrl, domain_bakctrl, time_source, afp, novell,
              domain_member, printq_server, dialin_server, xenix_server, nt, wfw, server_mfpn, server_nt,
              potential_browser, backup_browser, master_browser, domain_master, server_osf, server_vms,
              windows, dfs, cluster_nt, terminal_server, cluster_vs_nt, dce, alternate_xport,
              local_list_only, domain_enum]
  server:
    description:
      - Deprecated, removed in release 1.0.0 of the collection, and no longer used (a task that sets it
        gets a deprecation warning). It was passed as C(NetServerEnum)'s C(servername), which
        Microsoft's documentation says is C(Reserved; must be NULL), so the list always comes from the
        browser of the host the task runs on. A name other than this host's brings a warning that says so.
      - To ask another machine (for example the domain master browser, the PDC emulator, when the host's own
        browser has no list), run the task on that machine with C(delegate_to).
    type: str
extends_documentation_fragment:
  - wtsadmin.rds.attributes
  - wtsadmin.rds.attributes.read_only
notes:
  - The server list of the Computer Browser is only as fresh as the servers' announcements (every 12 minutes),
    so a server that was just switched off can still be listed for close to an hour.
  - When Windows could only hand over part of the list (C(ERROR_MORE_DATA)) the module returns what it got,
    sets RV(more_data) and warns.
seealso:
  - plugin: wtsadmin.rds.rds_servers
    plugin_type: inventory
  - name: NetServerEnum function (lmserver.h)
    description: Microsoft's reference of the Windows API this module calls.
    link: https://learn.microsoft.com/en-us/windows/win32/api/lmserver/nf-lmserver-netserverenum
"""

EXAMPLES = r"""
- name: List the RD Session Hosts of the host's own domain
  wtsadmin.rds.win_rds_server_info:
  register: rdsh

- name: Show their names
  ansible.builtin.debug:
    msg: "{{ rdsh.servers | map(attribute='name') | list }}"

- name: List the domain controllers and session hosts of another domain, asking its master browser
  wtsadmin.rds.win_rds_server_info:
    domain: FABRIKAM
    server_types:
      - domain_ctrl
      - terminal_server
  # the machine whose browser answers runs the task (an inventory host, for example dc01.fabrikam.com)
  delegate_to: "{{ fabrikam_master_browser | default(inventory_hostname) }}"
  register: fabrikam
"""

RETURN = r"""
servers:
  description: The servers listed, in the order Windows returned them.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The server's NetBIOS name.
      type: str
      sample: RDSH01
    platform:
      description: The platform it announces (C(sv101_platform_id)); V(nt) for every Windows version since NT.
      type: str
      sample: nt
    version:
      description: The major and minor version of its operating system.
      type: str
      sample: "10.0"
    types:
      description: The names of the server types it announces (see O(server_types)).
      type: list
      elements: str
      sample: [workstation, server, domain_member, nt, server_nt, terminal_server]
    comment:
      description: The server's description (C(net config server /srvcomment)), or null when it has none.
      type: str
      sample: Session host 1
  sample:
    - name: RDSH01
      platform: nt
      version: "10.0"
      types: [workstation, server, domain_member, nt, server_nt, terminal_server]
      comment: Session host 1
more_data:
  description:
    - True when Windows returned only part of the list (C(ERROR_MORE_DATA)); the servers that are listed
      are correct, others are missing.
  returned: success
  type: bool
  sample: false
error_code:
  description: The Windows error code of C(NetServerEnum), for example V(6118) when no Computer Browser answered.
  returned: failure
  type: int
  sample: 6118
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain
from ansible_collections.wtsadmin.rds.plugins.module_utils._servers import PARTIAL_LIST_WARNING, list_servers
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import SV_TYPE_NAMES
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import is_local_server


SERVER_IGNORED = (
    "server %r is ignored: NetServerEnum's servername is reserved (must be NULL), so the list comes from the "
    "browser of the host the task runs on. To ask that machine, run the task there (delegate_to); the server "
    "option is deprecated.")


def module_args():
    return {
        "argument_spec": {
            "domain": {"type": "str"},
            "server_types": {"type": "list", "elements": "str", "default": ["terminal_server"],
                             "choices": list(SV_TYPE_NAMES.values())},
            "server": {"type": "str", "removed_in_version": "1.0.0", "removed_from_collection": "wtsadmin.rds"},
        },
        "supports_check_mode": True,
    }


def main():
    module = AnsibleModule(**module_args())
    domain, server = module.params["domain"], module.params["server"]
    if server is not None and not is_local_server(server):
        module.warn(SERVER_IGNORED % server)
    try:
        servers, more_data = list_servers(domain, module.params["server_types"])
    except WinApiError as error:
        module.fail_json(msg=explain(error, "domain %s" % domain if domain else None), error_code=error.code)
    if more_data:
        module.warn(PARTIAL_LIST_WARNING)
    module.exit_json(changed=False, servers=servers, more_data=more_data)


if __name__ == "__main__":
    main()
