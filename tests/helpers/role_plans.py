# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The python_runtime role's plan (roles/python_runtime/tasks/plan.yml) worked out by real Ansible: one
ansible-playbook run on localhost for any number of cases, each case the role variables of one run.

Import it as ``role_plans`` (``tests/helpers`` is on pytest's ``pythonpath``)::

    from role_plans import python_runtime_plans

    [plan] = python_runtime_plans(tmp_path, [{"python_runtime_source": "https://..."}])
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from runs import ansible_playbook


def python_runtime_plans(tmp: Path, cases: list[dict], ignore_errors: bool = False) -> list[dict]:
    """``python_runtime_plan`` for each case, in order. With ``ignore_errors`` a case that the checks after the
    plan refuse still gives its plan; without, such a case fails the run."""
    out = tmp / "plans.json"
    playbook = tmp / "plans.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "vars": {"cases": cases},
        "tasks": [
            {"name": "Work out each plan", "loop": "{{ cases }}", "loop_control": {"loop_var": "case"},
             "ansible.builtin.include_tasks": str(tmp / "one.yml")},
            {"name": "Keep them", "ansible.builtin.copy": {"content": "{{ plans | to_json }}", "dest": str(out)}},
        ],
    }]))
    include = {"name": "wtsadmin.rds.python_runtime", "tasks_from": "plan"}
    if ignore_errors:
        include["apply"] = {"ignore_errors": True}
    names = sorted({name for case in cases for name in case})
    (tmp / "one.yml").write_text(yaml.safe_dump([
        {"name": "Plan", "ansible.builtin.include_role": include,
         "vars": {name: "{{ case.%s }}" % name for name in names}},
        {"name": "Collect", "ansible.builtin.set_fact": {"plans": "{{ plans | default([]) + [python_runtime_plan] }}"}},
    ]))
    ansible_playbook(playbook)
    return json.loads(out.read_text())
