# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every example, extracted automatically (tests/helpers/doc_examples.py: the EXAMPLES of every plugin and every
```yaml block of the README, docs/*.md - docs/modules/ is generated from EXAMPLES - and the roles' READMEs) so
that a new example cannot escape, is checked: it parses; each task of this collection passes the controller's
argument validation of its module (the same as the action plugin's); each Jinja expression compiles; each
filter and test it uses exists; no task registers a name Ansible reserves. tests/integration/test_examples.py
runs every example play and task against the emulated host."""

from __future__ import annotations

import importlib
import re

import jinja2
import pytest
import yaml
from ansible.vars.reserved import get_reserved_names
from doc_examples import PREFIX, ROOT, action, example_plays, strings, tasks
from doc_examples import examples as _examples

from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import validate_args

EXAMPLES = list(_examples())


def test_a_task_list_is_cut_into_examples_each_with_the_later_tasks_that_use_what_it_defines():
    text = """
- name: A
  wtsadmin.rds.win_rds_session_info:
  register: farm
- name: B
  wtsadmin.rds.win_rds_process_info:
  register: processes
- name: C
  ansible.builtin.debug:
    msg: "{{ farm.sessions | length }}"
- name: D
  ansible.builtin.set_fact:
    busy: "{{ processes.processes | selectattr('handles', 'gt', farm.counts.active) }}"
- name: E
  ansible.builtin.debug:
    var: busy
  when: busy | length > 0
- name: F
  block:
    - name: G
      wtsadmin.rds.win_rds_wait:
        until: no_user_sessions
"""
    examples = list(example_plays(text))

    assert [(name, [task["name"] for task in play["tasks"]]) for name, play in examples] == [
        ("A", ["A", "B", "C", "D", "E"]), ("F", ["F"])]
    assert all(play["hosts"] == "all" and play["gather_facts"] is False for _name, play in examples)


def test_examples_are_found_in_every_place():
    places = {where.split(" ")[0] for where, _text in EXAMPLES}

    assert {"README.md", "docs/getting-started.md", "plugins/modules/win_rds_session_info.py",
            "plugins/filter/session_table.py", "roles/rds_drain/README.md"} <= places
    assert len(EXAMPLES) > 20


@pytest.mark.parametrize("where, text", EXAMPLES, ids=[where for where, _text in EXAMPLES])
def test_every_example_is_valid(where, text):
    documents = list(yaml.safe_load_all(text))  # plays or tasks; or data: inventory, variables, AWX definitions
    data = [item for document in documents if isinstance(document, list) for item in document]
    environment = jinja2.Environment()
    reserved = get_reserved_names()
    for task in tasks(data):
        name = action(task)
        assert name, "%s: a task without exactly one module: %r" % (where, task)
        assert task.get("register") not in reserved, "%s: register: %s is a reserved name" % (where, task["register"])
        if name.startswith(PREFIX):
            module = importlib.import_module("ansible_collections.wtsadmin.rds.plugins.modules." + name[len(PREFIX):])
            args = task[name] or {}
            if isinstance(args, dict):  # templated values are checked for their type only when literal
                literal = {key: value for key, value in args.items() if not (isinstance(value, str) and "{{" in value)}
                errors = [str(error) for error in validate_args(module.module_args(), literal).errors.errors
                          if "missing required" not in str(error) or not set(args) - set(literal)]
                assert not errors, "%s: %s: %s" % (where, name, errors)
    for string in strings(documents):
        for expression in re.findall(r"{{(.*?)}}", string, re.S):
            parsed = environment.parse("{{%s}}" % expression)
            for node in parsed.find_all(jinja2.nodes.Filter):
                assert _exists(node.name, "filter", environment.filters), (
                    "%s: unknown filter %s" % (where, node.name))
            for node in parsed.find_all(jinja2.nodes.Test):
                assert _exists(node.name, "test", environment.tests), (
                    "%s: unknown test %s" % (where, node.name))


def _exists(name, kind, jinja_builtins):
    """True when Jinja or ansible-core has the filter or test ``name``, or this collection has it."""
    if name.startswith(PREFIX):
        return (ROOT / "plugins" / kind / (name[len(PREFIX):] + ".py")).exists()
    name = name[len("ansible.builtin."):] if name.startswith("ansible.builtin.") else name
    return name in jinja_builtins or name in _ANSIBLE_BUILTINS[kind]


def _ansible_builtins(kind, files):
    names = set()
    for file in files:
        plugins = importlib.import_module("ansible.plugins.%s.%s" % (kind, file))
        names.update((plugins.FilterModule().filters() if kind == "filter" else plugins.TestModule().tests()))
    return names


# ansible-core's own filters and tests (its Jinja2 plugins; the YAML-documented ones live in these files)
_ANSIBLE_BUILTINS = {"filter": _ansible_builtins("filter", ("core", "mathstuff", "urls", "urlsplit", "encryption")),
                     "test": _ansible_builtins("test", ("core", "files", "mathstuff", "uri"))}
