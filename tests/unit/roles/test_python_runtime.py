# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell the python_runtime role sends to a host, rendered by real Ansible from hostile variables and read
by a real PowerShell grammar: every value stays one string literal (issue #19, item 2)."""

from __future__ import annotations

import pytest
from powershell_syntax import assert_stays_one_literal, parse
from role_plans import python_runtime_plans

from ansible_collections.wtsadmin.rds.plugins.filter.powershell_quote import powershell_quote
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import _powershell_quote

BENIGN = "benign"
# Each ends a PowerShell single-quoted string, or would expand in a double-quoted one, or match as a wildcard.
HOSTILE = [
    "\u2019; Start-Process calc; \u2019x",  # the reported one: U+2019 ends the string like '
    "\u2018; a; \u201a; b; \u201b; c; '; d; ''\u2019'",  # every other single quote PowerShell knows, alone and doubled
    '$(calc) `$x "; e; "\u201c$(f)\u201d\nStart-Process calc\n',  # expansions, double quotes, a new line
]
# (role variable, how the hostile text goes into it): every value of the role that reaches a command on the host.
VARIABLES = {
    "python_runtime_install_dir": "C:\\Py%s",
    "python_runtime_temp_dir": "C:\\Temp%s",
    "python_runtime_source": "https://files.contoso.com/%s/python-3.12.10-amd64.exe",
    "unc_source": "\\\\files.contoso.com\\soft%s\\python-3.12.10-amd64.exe",
    "python_runtime_checksum": "%s",
}
COMMANDS = ("probe", "send", "install")
# which variables reach which command: the probe runs the installed python.exe, send keeps the package in the
# temporary directory, the installer gets them all
HOLDS = {"probe": ("python_runtime_install_dir",), "send": ("python_runtime_temp_dir",), "install": tuple(VARIABLES)}


def as_the_host_gets_it(name, command):
    """``command`` of the role's plan as the PowerShell the host runs: the script action puts the script's (or the
    package's) path on the host in place of its first word, after ``& `` (the powershell shell's wrap_for_exec)."""
    if name == "install":
        return "& " + command.replace("install_python.ps1", "'C:\\Temp\\ansible-tmp\\install_python.ps1'", 1)
    if name == "send":
        return command + " 'C:\\Temp\\ansible-tmp\\package.exe'"
    return command


def role_variables(variable, text):
    """All the role's variables that reach the host, for a run with ``text`` put into ``variable``."""
    variables = {"python_runtime_source": "https://files.contoso.com/python-3.12.10-amd64.exe",
                 "python_runtime_version": "3.12.10", "python_runtime_kind": "installer",
                 "python_runtime_install_dir": "", "python_runtime_temp_dir": "C:\\Windows\\Temp",
                 "python_runtime_checksum": ""}
    value = VARIABLES[variable] % text
    variables["python_runtime_source" if variable == "unc_source" else variable] = value
    return variables


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """{(variable, text): the role's plan}, every plan worked out by one ansible-playbook run of tasks/plan.yml."""
    cases = [(variable, text) for variable in VARIABLES for text in [BENIGN] + HOSTILE]
    # the checks after the plan refuse some of these values (a checksum that is no SHA-256): the plan is made
    return dict(zip(cases, python_runtime_plans(tmp_path_factory.mktemp("python-runtime"),
                                                [role_variables(variable, text) for variable, text in cases],
                                                ignore_errors=True)))


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("command, variable", [(command, variable) for command, held in HOLDS.items() for variable in held])
def test_every_value_stays_one_string_literal_in_every_command(plans, command, variable, text):
    def render(value):
        return as_the_host_gets_it(command, plans[(variable, value)]["commands"][command])

    assert_stays_one_literal(render, text, benign=BENIGN)


@pytest.mark.parametrize("command", COMMANDS)
def test_the_commands_parse_as_powershell(plans, command):
    parse(as_the_host_gets_it(command, plans[("python_runtime_install_dir", BENIGN)]["commands"][command]))


@pytest.mark.parametrize("text", ["C:\\O'Neil", "\u2018\u2019\u201a\u201b", "$x `n \"y\"", "", "42"])
def test_the_filter_is_the_payloads_quoting(text):
    assert powershell_quote(text) == _powershell_quote(text)
