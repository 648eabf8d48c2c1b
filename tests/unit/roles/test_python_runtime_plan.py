# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The python_runtime role's plan (tasks/plan.yml, run by real Ansible) for each source it supports - a URL, a
UNC path and a file on the controller, each with the python.org installer and the embeddable zip - and its
install script read by a real PowerShell grammar. The script itself is not run here: there is no Windows."""

from __future__ import annotations

from pathlib import Path

import pytest
from powershell_syntax import parse
from role_plans import python_runtime_plans

ROOT = Path(__file__).resolve().parents[3]
SOURCES = {
    ("url", "installer"): "https://artifacts.contoso.com/python/python-3.12.10-amd64.exe",
    ("url", "embeddable"): "https://artifacts.contoso.com/python/python-3.12.10-embed-amd64.zip?x=1",
    ("unc", "installer"): "\\\\files.contoso.com\\software\\python-3.11.9-amd64.exe",
    ("unc", "embeddable"): "\\\\files.contoso.com\\software\\python-3.11.9-embed-amd64.zip",
    ("controller", "installer"): "/srv/software/python-3.13.3-amd64.exe",
    ("controller", "embeddable"): "/srv/software/python-3.13.3-embed-amd64.zip",
}


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """{(source type, kind): the role's plan for that source}, from one ansible-playbook run of tasks/plan.yml."""
    cases = [{"python_runtime_source": source} for source in SOURCES.values()]
    return dict(zip(SOURCES, python_runtime_plans(tmp_path_factory.mktemp("plans"), cases)))


@pytest.mark.parametrize("source_type, kind", SOURCES)
def test_each_source_gives_its_plan(plans, source_type, kind):
    plan = plans[source_type, kind]
    version = plan["file_name"].split("-")[1]

    assert (plan["source_type"], plan["kind"], plan["version"]) == (source_type, kind, version)
    assert plan["install_dir"] == "C:\\Program Files\\Python%s" % "".join(version.split(".")[:2])
    assert plan["interpreter"] == plan["install_dir"] + "\\python.exe"
    assert plan["staged_package"] == "C:\\Windows\\Temp\\wtsadmin-rds-" + plan["file_name"]
    # a controller file is sent to the staged path first; a URL or share is fetched by the script itself
    fetched_from = plan["staged_package"] if source_type == "controller" else SOURCES[source_type, kind]
    assert plan["quoted"]["source"] == "'%s'" % fetched_from
    assert "-Kind '%s'" % kind in plan["commands"]["install"]


def test_the_install_script_parses_as_powershell():
    script = parse((ROOT / "roles" / "python_runtime" / "files" / "install_python.ps1").read_text(encoding="utf-8"))

    assert script.errors() == []
