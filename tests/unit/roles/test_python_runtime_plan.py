# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The python_runtime role's plan (tasks/plan.yml, run by real Ansible) for each source it supports - a URL, a
UNC path and a file on the controller, each with the python.org installer and the embeddable zip - and its
install script read by a real PowerShell grammar. The script itself is not run here: there is no Windows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from powershell_syntax import parse

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
    tmp = tmp_path_factory.mktemp("plans")
    out = tmp / "plans.json"
    playbook = tmp / "plans.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "vars": {"sources": list(SOURCES.values())},
        "tasks": [
            {"name": "Work out each plan", "loop": "{{ sources }}", "loop_control": {"loop_var": "source"},
             "ansible.builtin.include_tasks": str(tmp / "one.yml")},
            {"name": "Keep them", "ansible.builtin.copy": {"content": "{{ plans | to_json }}", "dest": str(out)}},
        ],
    }]))
    (tmp / "one.yml").write_text(yaml.safe_dump([
        {"name": "Plan", "ansible.builtin.include_role": {"name": "wtsadmin.rds.python_runtime", "tasks_from": "plan"},
         "vars": {"python_runtime_source": "{{ source }}"}},
        {"name": "Collect", "ansible.builtin.set_fact": {"plans": "{{ plans | default([]) + [python_runtime_plan] }}"}},
    ]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    run = subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), str(playbook)], env=env,
                         capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return dict(zip(SOURCES, json.loads(out.read_text())))


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
