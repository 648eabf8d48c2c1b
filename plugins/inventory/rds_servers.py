# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rds_servers
short_description: Remote Desktop Session Host servers found with NetServerEnum, plus a static list
version_added: 0.1.0
description:
  - Asks one Windows host (the O(discovery_host)) over WinRM for the servers that the Computer Browser
    service lists (C(NetServerEnum)), by default those that announce themselves as RD Session Hosts,
    and adds them to the inventory with their platform, version, server types and comment.
  - The question runs with the discovery host's own Python, as the P(wtsadmin.rds.win_rds_server_info#module)
    module does; the code travels on the WinRM command's standard input in one command, no file is written
    on the host.
  - Servers listed in O(static_servers) are added as well. Without O(discovery_host), only they are
    added, and nothing is contacted.
  - Configuration files must end in C(rds_servers.yml) or C(rds_servers.yaml).
  - C(NetServerEnum) needs the Computer Browser service, which depends on SMB 1.0 and is absent from
    current Windows networks. Without it the discovery fails with error 6118; list the servers in
    O(static_servers) instead, or use an Active Directory inventory. See the collection's C(docs/inventory.md).
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - wtsadmin.rds.inventory_winrm
requirements:
  - pywinrm 0.4.3 or later on the controller (in AWX or Automation Platform, in the execution environment).
  - Python 3.9 or later on the discovery host.
options:
  plugin:
    description: Marks the file as a configuration of this plugin.
    type: str
    required: true
    choices: [wtsadmin.rds.rds_servers]
  discovery_host:
    description:
      - The Windows host, reached with WinRM, that runs C(NetServerEnum).
      - Any domain member works; the question goes to its Computer Browser.
      - When not set, no discovery takes place and only O(static_servers) are added.
    type: str
    env:
      - name: WTSADMIN_RDS_DISCOVERY_HOST
  domain:
    description:
      - The NetBIOS name (not the DNS name) of the domain or workgroup to list, for example C(CONTOSO).
      - Defaults to the primary domain of the discovery host.
    type: str
    env:
      - name: WTSADMIN_RDS_DOMAIN
  server_types:
    description:
      - The server types to list; a server is listed when it announces any of them.
      - The names are those of the P(wtsadmin.rds.win_rds_server_info#module) module's O(wtsadmin.rds.win_rds_server_info#module:server_types).
    type: list
    elements: str
    default: [terminal_server]
  hostname_format:
    description:
      - V(short) names hosts by their lower-case NetBIOS (or first DNS) label, for example C(rdsh01).
      - V(fqdn) appends O(dns_suffix) to it, for example C(rdsh01.contoso.com). A static server given
        as a fully qualified name keeps its own suffix.
    type: str
    choices: [short, fqdn]
    default: short
  dns_suffix:
    description:
      - The DNS suffix for O(hostname_format=fqdn), for example C(contoso.com).
    type: str
  static_servers:
    description:
      - Servers to add whether or not discovery finds them, by NetBIOS or DNS name.
      - They get the host variable C(rds_source=static) and none of the C(NetServerEnum) variables,
        unless discovery also found them.
    type: list
    elements: str
    default: []
  exclude:
    description:
      - Shell-style patterns (C(*), C(?), C([...])) of servers to leave out, compared without regard to
        case with the host name and with the NetBIOS name, for example C(RDSH-TEST*).
    type: list
    elements: str
    default: []
notes:
  - Host variables set by the plugin are C(rds_platform), C(rds_version), C(rds_server_types) and
    C(rds_comment) (discovered servers), and C(rds_source) (V(netserverenum) or V(static)). Their values come
    from the network and are marked unsafe, so they are never evaluated as templates.
  - Any machine of the network segment can announce a name to the Computer Browser. A discovered name that
    is no NetBIOS or DNS computer name (letters, digits, C(-), C(_) and dots only) is left out with a
    warning, so it never becomes a host name (which Ansible may evaluate as a template); a static server
    with such a name fails the inventory.
  - O(python_interpreter) goes on the command line that WinRM runs with C(cmd.exe); a path with a character
    C(cmd.exe) treats specially (C(" % ! & | < > ^ \( \) @), a line break) fails the inventory before the
    discovery host is contacted. Leave it unset to look for Python with PowerShell instead.
  - With O(cache=true) only the discovered server list is cached; credentials never are. The cache key
    is the configuration file's path; use C(--flush-cache) after changing the discovery options.
  - No connection variables are set; give the hosts C(ansible_connection) and the like in C(group_vars)
    or with O(compose).
seealso:
  - module: wtsadmin.rds.win_rds_server_info
"""

EXAMPLES = r"""
# inventory/farm.rds_servers.yml -- discovery through one domain member, credentials from the environment
# (WTSADMIN_RDS_USERNAME, WTSADMIN_RDS_PASSWORD)
plugin: wtsadmin.rds.rds_servers
discovery_host: mgmt01.contoso.com
domain: CONTOSO
hostname_format: fqdn
dns_suffix: contoso.com
exclude:
  - RDSH-TEST*
keyed_groups:
  # rds_version_10_0, ...
  - key: rds_version
    prefix: rds_version
compose:
  ansible_connection: "'winrm'"
  ansible_winrm_transport: "'kerberos'"

---
# inventory/static.rds_servers.yml -- no Computer Browser on the network: a static list only
plugin: wtsadmin.rds.rds_servers
static_servers:
  - rdsh01
  - rdsh02
  - rdsh03.branch.contoso.com
hostname_format: fqdn
dns_suffix: contoso.com

---
# inventory/cached.rds_servers.yml -- cache the discovered list for an hour
plugin: wtsadmin.rds.rds_servers
discovery_host: mgmt01.contoso.com
transport: kerberos
python_interpreter: C:\Program Files\Python312\python.exe
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 3600
"""

import fnmatch
import re
from typing import TYPE_CHECKING

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import ERROR_NO_BROWSER_SERVERS_FOUND
from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_server_info
from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _winrm
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import parse_result, validate_args
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import module_payload, program, python_fix, task_message

if TYPE_CHECKING:
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import NetServer, ServerInfoResult

INTERPRETER_OPTION = "python_interpreter"  # the option of this plugin that names the discovery host's Python


# The names Windows gives computers: NetBIOS and DNS host names, letters, digits, hyphens and underscores,
# in dot-separated labels (a browse list is filled by whatever announces itself on the segment).
SERVER_NAME = re.compile(r"[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\Z")
MAX_SERVER_NAME = 253


def discovery_command(interpreter):
    """The command line that runs the payload given on its stdin with the discovery host's Python
    (_winrm.python_command); an interpreter cmd.exe would parse raises AnsibleParserError."""
    try:
        return _winrm.python_command(interpreter, INTERPRETER_OPTION, "the discovery host")
    except AnsibleError as error:
        raise AnsibleParserError(error.message) from error


def server_name_problem(name):
    """Why ``name`` is no computer name (NetBIOS or DNS characters only), or None."""
    if not isinstance(name, str) or len(name) > MAX_SERVER_NAME or not SERVER_NAME.match(name):
        return ("%r is no NetBIOS or DNS computer name (letters, digits, '-', '_' and dots only)" % (name,))
    return None


def discovered_variables(server):
    """The host variables of a server that NetServerEnum listed; its values are marked unsafe (never templated)."""
    return {
        "rds_platform": wrap_var(server["platform"]),
        "rds_version": wrap_var(server["version"]),
        "rds_server_types": wrap_var(server["types"]),
        "rds_comment": wrap_var(server["comment"]),
        "rds_source": "netserverenum",
    }


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "wtsadmin.rds.rds_servers"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("rds_servers.yml", "rds_servers.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if self.get_option("hostname_format") == "fqdn" and not self.get_option("dns_suffix"):
            raise AnsibleParserError("%s: hostname_format fqdn needs dns_suffix (for example contoso.com)" % path)
        discovered = self._discovered_servers(path, cache) if self.get_option("discovery_host") else []
        servers = []
        for server in discovered:
            problem = server_name_problem(server["name"])
            if problem:  # anything on the segment can announce a name: never let it become a host (or a template)
                self.display.warning("NetServerEnum on %s listed a server that is left out: %s."
                                     % (self.get_option("discovery_host"), problem))
            else:
                servers.append((server["name"], discovered_variables(server)))
        for name in self.get_option("static_servers"):
            problem = server_name_problem(name.strip())
            if problem:
                raise AnsibleParserError("%s: static_servers: %s" % (path, problem))
            servers.append((name, {"rds_source": "static"}))
        added = set()
        for server_name, variables in servers:
            host_name = self._host_name(server_name)
            if host_name not in added and not self._excluded(host_name, server_name):
                self._add_host(host_name, variables)
                added.add(host_name)

    def _discovered_servers(self, path, cache) -> list[NetServer]:
        """The NetServerEnum list: from the cache when allowed and present, else asked (and cached if enabled)."""
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        result = None
        if use_cache and cache:
            result = self._cache.get(cache_key)
        if result is None:
            result = self._discover()
            if use_cache:
                self._cache[cache_key] = result
        if result["more_data"]:
            self.display.warning(
                "NetServerEnum on %s returned a partial list (ERROR_MORE_DATA) of %d servers; more exist. "
                "Narrow server_types or domain, or add the missing servers to static_servers."
                % (self.get_option("discovery_host"), len(result["servers"])))
        return result["servers"]

    def _discover(self) -> ServerInfoResult:
        """NetServerEnum on the discovery host: win_rds_server_info's payload run there over WinRM."""
        host = self.get_option("discovery_host")
        params = self._module_params()
        stdin = program(module_payload(win_rds_server_info.__name__), task_message(params, check_mode=True),
                        INTERPRETER_OPTION)
        command = discovery_command(self.get_option(INTERPRETER_OPTION))
        settings = {name: self.get_option(name) for name in _winrm.SETTINGS}
        try:
            stdout, stderr, rc = _winrm.run_command(host, settings, command, stdin)
        except AnsibleError as error:
            raise AnsibleParserError(error.message) from error
        result = parse_result(stdout)
        if result is None:
            raise AnsibleParserError(
                "The discovery host %s returned no result (rc=%s): %s. If Python could not be started there, %s."
                % (host, rc, (stderr or stdout).decode("utf-8", "replace").strip()[-1000:],
                   python_fix(INTERPRETER_OPTION)))
        if result.get("failed"):
            message = "Server discovery on %s failed: %s" % (host, result.get("msg"))
            if result.get("error_code") == ERROR_NO_BROWSER_SERVERS_FOUND:
                message += (" Servers listed in static_servers need no Computer Browser: list them there and"
                            " remove discovery_host, or use an Active Directory inventory (see docs/inventory.md).")
            raise AnsibleParserError(message)
        return {"servers": result["servers"], "more_data": result["more_data"]}

    def _module_params(self):
        """The discovery options as win_rds_server_info's parameters, checked against its argument spec."""
        params = {"domain": self.get_option("domain"), "server_types": self.get_option("server_types")}
        checked = validate_args(win_rds_server_info.module_args(), params)
        if checked.errors.errors:
            raise AnsibleParserError("; ".join(error.msg for error in checked.errors.errors))
        return checked.validated_parameters

    def _add_host(self, name, variables):
        self.inventory.add_host(name)
        for variable, value in variables.items():
            self.inventory.set_variable(name, variable, value)
        host_vars = self.inventory.get_host(name).get_vars()
        strict = self.get_option("strict")
        self._set_composite_vars(self.get_option("compose"), host_vars, name, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), host_vars, name, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, name, strict=strict)

    def _host_name(self, server_name):
        name = server_name.strip().lower()
        short = name.split(".", 1)[0]
        if self.get_option("hostname_format") == "short":
            return short
        return name if "." in name else "%s.%s" % (short, self.get_option("dns_suffix").strip(".").lower())

    def _excluded(self, host_name, server_name):
        names = (host_name, server_name.lower())
        return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self.get_option("exclude") for name in names)
