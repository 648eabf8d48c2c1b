# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rds_servers inventory, parsed as ansible-inventory does, discovering through a loopback WinRM endpoint
whose commands run the emulated RD Session Host's Python."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleParserError
from ansible.utils.display import Display
from wrapped_output import printed

from ansible_collections.wtsadmin.rds.plugins.module_utils.netapi import SV_TYPES
from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _winrm

TERMINAL_SERVER = SV_TYPES["terminal_server"]
COLLECTIONS = Path(__file__).parents[4] / ".build" / "collections"


def browser_entries(state, domain=None, type_mask=TERMINAL_SERVER):
    """The browser entries NetServerEnum should list for ``domain`` (None: the primary one) and ``type_mask``."""
    browser = state["browser"]
    domain = (domain or browser["primary_domain"]).lower()
    return [entry for entry in browser["entries"] if entry["type"] & type_mask and entry["domain"].lower() == domain]


def host_vars(inventory, name):
    return inventory.get_host(name).get_vars()


def test_only_files_named_rds_servers_yml_or_yaml_are_taken(plugin_loader, tmp_path):
    plugin = plugin_loader.get("wtsadmin.rds.rds_servers")
    for name, taken in (("farm.rds_servers.yml", True), ("rds_servers.yaml", True), ("farm.yml", False)):
        (tmp_path / name).write_text("plugin: wtsadmin.rds.rds_servers\n")
        assert plugin.verify_file(str(tmp_path / name)) is taken


def test_static_servers_alone_contact_no_host(parse_inventory, wsman):
    inventory = parse_inventory({"plugin": "wtsadmin.rds.rds_servers", "static_servers": ["RDSH01", "rdsh02"]})

    assert sorted(inventory.hosts) == ["rdsh01", "rdsh02"]
    assert host_vars(inventory, "rdsh01")["rds_source"] == "static"
    assert "rds_version" not in host_vars(inventory, "rdsh01")
    assert wsman.commands == []


def test_discovered_terminal_servers_become_hosts_with_their_details(parse_inventory, discovery, farm):
    inventory = parse_inventory(discovery)

    expected = browser_entries(farm.state)
    assert expected, "the sample farm announces terminal servers"
    assert sorted(inventory.hosts) == sorted(entry["name"].lower() for entry in expected)
    for entry in expected:
        variables = host_vars(inventory, entry["name"].lower())
        assert variables["rds_source"] == "netserverenum"
        assert variables["rds_platform"] == "nt"
        assert variables["rds_version"] == "%d.%d" % (entry["version_major"], entry["version_minor"])
        assert "terminal_server" in variables["rds_server_types"]
        assert variables["rds_comment"] == (entry.get("comment") or None)


def test_domain_and_server_types_choose_what_is_listed(parse_inventory, discovery, farm):
    other = next(entry for entry in farm.state["browser"]["entries"]
                 if entry["domain"].lower() != farm.state["browser"]["primary_domain"].lower())
    discovery.update(domain=other["domain"], server_types=["workstation", "server"])
    inventory = parse_inventory(discovery)

    expected = browser_entries(farm.state, other["domain"], SV_TYPES["workstation"] | SV_TYPES["server"])
    assert sorted(inventory.hosts) == sorted(entry["name"].lower() for entry in expected)


def test_unknown_server_type_is_refused_before_the_host_is_contacted(parse_inventory, discovery, wsman):
    discovery["server_types"] = ["terminal_srv"]
    with pytest.raises(AnsibleParserError, match="terminal_srv"):
        parse_inventory(discovery)
    assert wsman.commands == []


def test_fqdn_host_names_get_the_dns_suffix_and_static_fqdns_keep_theirs(parse_inventory, discovery, farm):
    discovery.update(hostname_format="fqdn", dns_suffix="Contoso.COM.",
                     static_servers=["rdsh09", "RDSH10.branch.contoso.com"])
    inventory = parse_inventory(discovery)

    discovered = ["%s.contoso.com" % entry["name"].lower() for entry in browser_entries(farm.state)]
    assert sorted(inventory.hosts) == sorted(discovered + ["rdsh09.contoso.com", "rdsh10.branch.contoso.com"])


def test_fqdn_host_names_need_a_dns_suffix(parse_inventory):
    with pytest.raises(AnsibleParserError, match="dns_suffix"):
        parse_inventory({"plugin": "wtsadmin.rds.rds_servers", "static_servers": ["rdsh01"], "hostname_format": "fqdn"})


def test_short_host_names_drop_the_domain_of_static_fqdns(parse_inventory):
    inventory = parse_inventory({"plugin": "wtsadmin.rds.rds_servers", "static_servers": ["RDSH07.contoso.com"]})
    assert list(inventory.hosts) == ["rdsh07"]


def test_exclude_patterns_ignore_case_and_match_netbios_or_host_names(parse_inventory, discovery, farm):
    first, *others = browser_entries(farm.state)
    discovery.update(hostname_format="fqdn", dns_suffix="contoso.com",
                     exclude=[first["name"].upper(), "*.lab.contoso.com"],
                     static_servers=["test1.lab.contoso.com", "keep1"])
    inventory = parse_inventory(discovery)

    assert sorted(inventory.hosts) == sorted(["%s.contoso.com" % entry["name"].lower() for entry in others]
                                             + ["keep1.contoso.com"])


def test_a_static_server_that_discovery_found_keeps_the_discovered_details(parse_inventory, discovery, farm):
    entry = browser_entries(farm.state)[0]
    discovery["static_servers"] = [entry["name"].lower()]
    inventory = parse_inventory(discovery)

    assert host_vars(inventory, entry["name"].lower())["rds_source"] == "netserverenum"


def test_compose_groups_and_keyed_groups_see_the_rds_variables(parse_inventory, discovery, farm):
    discovery.update(
        compose={"ansible_connection": "'winrm'", "rdsh_release": "rds_version"},
        groups={"session_hosts": "'terminal_server' in rds_server_types"},
        keyed_groups=[{"key": "rds_version", "prefix": "windows"}],
    )
    inventory = parse_inventory(discovery)

    entries = browser_entries(farm.state)
    names = sorted(entry["name"].lower() for entry in entries)
    assert sorted(host.name for host in inventory.groups["session_hosts"].get_hosts()) == names
    for entry in entries:
        variables = host_vars(inventory, entry["name"].lower())
        assert variables["ansible_connection"] == "winrm"
        assert variables["rdsh_release"] == variables["rds_version"]
        group = "windows_%d_%d" % (entry["version_major"], entry["version_minor"])
        assert entry["name"].lower() in [host.name for host in inventory.groups[group].get_hosts()]


def test_values_from_the_network_are_never_evaluated_as_templates(parse_inventory, discovery, farm):
    entry = browser_entries(farm.state)[0]

    def poison(state):
        for candidate in state["browser"]["entries"]:
            if candidate["name"] == entry["name"]:
                candidate["comment"] = "{{ 6 * 7 }}"

    farm.edit(poison)
    discovery["compose"] = {"copied_comment": "rds_comment"}
    inventory = parse_inventory(discovery)

    assert host_vars(inventory, entry["name"].lower())["copied_comment"] == "{{ 6 * 7 }}"


def test_a_cached_discovery_makes_no_second_winrm_call(parse_inventory, discovery, wsman, tmp_path):
    discovery.update(cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(tmp_path / "cache"))

    first = parse_inventory(discovery)
    second = parse_inventory(discovery)
    assert sorted(second.hosts) == sorted(first.hosts)
    assert len(wsman.commands) == 1

    parse_inventory(discovery, cache=False)  # --flush-cache / meta: refresh_inventory asks again
    assert len(wsman.commands) == 2


def test_credentials_are_neither_cached_nor_host_variables(parse_inventory, discovery, tmp_path):
    account, password = discovery["username"].rpartition("\\")[2], discovery["password"]
    cache_dir = tmp_path / "cache"
    discovery.update(cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(cache_dir),
                     compose={"ansible_connection": "'winrm'"})
    inventory = parse_inventory(discovery)

    cached = "".join(path.read_text() for path in cache_dir.iterdir())
    assert cached and password not in cached and account not in cached
    for host in inventory.hosts.values():
        assert password not in repr(host.get_vars()) and account not in repr(host.get_vars())


def test_connection_settings_can_come_from_environment_variables(parse_inventory, discovery, monkeypatch):
    for option in ("username", "password", "port", "scheme", "transport", "python_interpreter"):
        monkeypatch.setenv(
            {"port": "WTSADMIN_RDS_WINRM_PORT", "scheme": "WTSADMIN_RDS_WINRM_SCHEME",
             "transport": "WTSADMIN_RDS_WINRM_TRANSPORT"}.get(option, "WTSADMIN_RDS_%s" % option.upper()),
            str(discovery.pop(option)))
    monkeypatch.setenv("WTSADMIN_RDS_DISCOVERY_HOST", discovery.pop("discovery_host"))

    inventory = parse_inventory(discovery)
    assert inventory.hosts


def test_a_payload_sent_in_many_winrm_messages_arrives_whole(parse_inventory, discovery, farm, monkeypatch):
    monkeypatch.setattr(_winrm, "STDIN_CHUNK", 1000)
    inventory = parse_inventory(discovery)
    assert len(inventory.hosts) == len(browser_entries(farm.state))


def test_a_wrong_password_is_reported_without_the_password(parse_inventory, discovery):
    username, password = discovery["username"], discovery["password"]
    discovery["password"] = "Wr0ng-Secret"
    with pytest.raises(AnsibleParserError, match="rejected the credentials") as failure:
        parse_inventory(discovery)
    assert "Wr0ng-Secret" not in str(failure.value) and password not in str(failure.value)
    assert username in str(failure.value)


def test_a_closed_port_is_reported_as_unreachable(parse_inventory, discovery, wsman):
    wsman.stop()
    with pytest.raises(AnsibleParserError, match="Cannot reach the discovery host's WinRM at http://127.0.0.1:%d"
                       % discovery["port"]):
        parse_inventory(discovery)


def test_https_certificates_are_validated_by_default(parse_inventory, https_discovery):
    with pytest.raises(AnsibleParserError, match="TLS with WinRM at https://127.0.0.1:.* ca_path"):
        parse_inventory(https_discovery)


def test_a_private_certificate_authority_is_trusted_with_ca_path(parse_inventory, https_discovery, certificate, farm):
    https_discovery["ca_path"] = certificate["ca"]
    assert len(parse_inventory(https_discovery).hosts) == len(browser_entries(farm.state))


def test_validate_certs_false_accepts_an_unknown_certificate(parse_inventory, https_discovery, farm):
    https_discovery["validate_certs"] = False
    assert len(parse_inventory(https_discovery).hosts) == len(browser_entries(farm.state))


def test_a_missing_python_on_the_discovery_host_says_how_to_fix_it(parse_inventory, discovery):
    discovery["python_interpreter"] = "/nonexistent/python3"
    with pytest.raises(AnsibleParserError, match="python_interpreter"):
        parse_inventory(discovery)


def test_without_an_interpreter_the_host_is_searched_for_python_with_powershell(parse_inventory, discovery, wsman):
    del discovery["python_interpreter"]
    with pytest.raises(AnsibleParserError):  # the loopback endpoint has no PowerShell to run it
        parse_inventory(discovery)

    command = wsman.commands[0]
    assert re.match(r"(?i)powershell(\.exe)? ", command)
    script = base64.b64decode(command.split()[-1]).decode("utf-16-le")
    assert "py.exe" in script and "python.exe" in script


def test_no_computer_browser_says_what_to_do_instead(parse_inventory, discovery, farm):
    farm.edit(lambda state: state["browser"].update(available=False))
    with pytest.raises(AnsibleParserError, match=r"\[6118\]") as failure:
        parse_inventory(discovery)
    assert "Computer Browser" in str(failure.value) and "static_servers" in str(failure.value)


def test_a_partial_list_is_used_with_a_warning(parse_inventory, discovery, farm, monkeypatch):
    warnings = []
    monkeypatch.setattr(Display, "warning", lambda display, msg, *args, **kwargs: warnings.append(msg))
    farm.edit(lambda state: state["browser"].update(more_data=True))
    inventory = parse_inventory(discovery)

    assert 0 < len(inventory.hosts) < len(browser_entries(farm.state))
    assert len(warnings) == 1 and "partial" in warnings[0]


def test_read_timeout_must_exceed_operation_timeout(parse_inventory, discovery, wsman):
    discovery.update(read_timeout=10, operation_timeout=10)
    with pytest.raises(AnsibleParserError, match="read_timeout"):
        parse_inventory(discovery)
    assert wsman.commands == []


# --- values that would run or template something (issue #19, items 1 and 6) -----------------------------

@pytest.mark.parametrize("special", ['"', "&", "|", "^", "%", "<", ">", "\n", "\r", "!", "(", ")", "@"])
def test_an_interpreter_with_a_character_cmd_treats_specially_is_refused_before_winrm(parse_inventory, discovery,
                                                                                      wsman, tmp_path, special):
    # issue #19, item 1: '"%s" -E -s -' % interpreter ran "calc" from C:\Py\python.exe" -E -s - & calc & "x
    marker = tmp_path / "injected"
    python = discovery["python_interpreter"]
    discovery["python_interpreter"] = '%s" -E -s - %s touch %s %s "x' % (python, special, marker, special)

    with pytest.raises(AnsibleParserError, match="python_interpreter .* contains .*which cmd.exe"):
        parse_inventory(discovery)
    assert wsman.commands == []
    assert not marker.exists()


def test_an_injection_through_the_interpreter_runs_nothing_on_the_discovery_host(parse_inventory, discovery, wsman,
                                                                                 tmp_path):
    # the reproduction of item 1 on the loopback endpoint, whose /bin/sh -c stands in for cmd.exe /c
    marker = tmp_path / "injected"
    discovery["python_interpreter"] = '%s" -E -s - & touch %s & "x' % (discovery["python_interpreter"], marker)

    with pytest.raises(AnsibleParserError):
        parse_inventory(discovery)
    assert not marker.exists()


@pytest.mark.parametrize("name", [
    "{{ lookup('pipe', 'touch INJECTED') }}", "RDSH{{ 6 * 7 }}", "RDSH 09", "RDSH09;rm", "RDSH$09", "", "-" * 254,
    "{% raw %}x{% endraw %}", "RDSH\u200b09",
])
def test_a_browse_list_name_that_is_no_computer_name_is_left_out_with_a_warning(parse_inventory, discovery, farm,
                                                                                monkeypatch, name):
    # issue #19, item 6: on ansible-core 2.18 a name such as {{ lookup('pipe', ...) }} was templated
    entry = browser_entries(farm.state)[0]
    warnings = []
    monkeypatch.setattr(Display, "warning", lambda self, msg, *args, **kwargs: warnings.append(msg))

    def announce(state):
        state["browser"]["entries"].append(dict(entry, name=name))

    farm.edit(announce)
    inventory = parse_inventory(discovery)

    assert sorted(inventory.hosts) == sorted(e["name"].lower() for e in browser_entries(farm.state) if e["name"] != name)
    assert [w for w in warnings if "is no NetBIOS or DNS computer name" in w] == [
        "NetServerEnum on 127.0.0.1 listed a server that is left out: %r is no NetBIOS or DNS computer name "
        "(letters, digits, '-', '_' and dots only)." % name]


@pytest.mark.parametrize("name", ["rdsh01", "RDSH-02", "rdsh_03", "rdsh04.contoso.com"])
def test_computer_names_pass(parse_inventory, name):
    inventory = parse_inventory({"plugin": "wtsadmin.rds.rds_servers", "static_servers": [name]})

    assert list(inventory.hosts) == [name.lower().split(".")[0]]


def test_a_static_server_that_is_no_computer_name_fails_the_inventory(parse_inventory):
    with pytest.raises(AnsibleParserError, match="static_servers: 'rdsh{{ 1 }}' is no NetBIOS or DNS computer name"):
        parse_inventory({"plugin": "wtsadmin.rds.rds_servers", "static_servers": ["rdsh01", "rdsh{{ 1 }}"]})


def test_a_hostile_browse_list_name_is_never_templated_by_a_playbook(discovery, farm, tmp_path):
    # issue #19, item 6, end to end with this Python's ansible-core (the version matrix runs it on each one): on
    # 2.18 the name was templated when a play used it as inventory_hostname
    marker = tmp_path / "templated"
    entry = browser_entries(farm.state)[0]
    farm.edit(lambda state: state["browser"]["entries"].append(
        dict(entry, name="{{ lookup('pipe', 'touch %s') }}" % marker)))
    config = tmp_path / "farm.rds_servers.yml"
    config.write_text(yaml.safe_dump(discovery))
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "all", "gather_facts": False, "connection": "local",
                                         "tasks": [{"ansible.builtin.debug": {"msg": "{{ inventory_hostname }}"}}]}]))
    env = dict(os.environ, ANSIBLE_INVENTORY_ENABLED="wtsadmin.rds.rds_servers", ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")

    run = subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(config), str(playbook)],
                         capture_output=True, text=True, env=env, timeout=600, check=False)

    assert run.returncode == 0, run.stdout + run.stderr
    assert not marker.exists()
    assert printed("is no NetBIOS or DNS computer name", run.stdout + run.stderr)
    assert "ok: [%s]" % entry["name"].lower() in run.stdout
