# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every example is extracted automatically - the EXAMPLES of every plugin and every ```yaml block of the
README, docs/*.md (docs/modules/ is generated from EXAMPLES) and the roles' READMEs - so a new example cannot
escape, and checked: it parses; each task of this collection passes the controller's argument validation of
its module (the same as the action plugin's); each Jinja expression compiles; each filter and test it uses
exists; no task registers a name Ansible reserves. The example plays that only read run against the emulated
host; the others are checked, not run: they name farms (RDSH01..03), wait an hour or reboot."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import rds_emulator
import yaml
from ansible.vars.reserved import get_reserved_names

from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import validate_args

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "wtsadmin.rds."
_FENCE = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
_PLAY_KEYS = frozenset(("hosts", "import_playbook"))
_TASK_KEYS = frozenset((
    "name", "register", "when", "loop", "loop_control", "vars", "check_mode", "diff", "until", "retries",
    "delay", "ignore_errors", "changed_when", "failed_when", "delegate_to", "run_once", "tags", "no_log",
    "environment", "become", "block", "rescue", "always", "module_defaults", "notify", "async", "poll",
    "with_items", "throttle", "timeout", "any_errors_fatal", "apply", "listen", "args"))


def _examples():
    """(where, text) of every example."""
    for path in sorted((ROOT / "plugins").glob("*/*.py")):
        source = path.read_text(encoding="utf-8")
        match = re.search(r'^EXAMPLES = r"""\n(.*?)^"""', source, re.S | re.M)
        if match:
            yield "%s EXAMPLES" % path.relative_to(ROOT), match.group(1)
    documents = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md")) + sorted(ROOT.glob("roles/*/README.md"))
    for path in documents:
        text = path.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            yield "%s line %d" % (path.relative_to(ROOT), text.count("\n", 0, match.start()) + 2), match.group(1)


EXAMPLES = list(_examples())


def _tasks(items):
    """Every task of a list of plays or tasks, blocks opened."""
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        if _PLAY_KEYS & set(item):
            for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
                yield from _tasks(item.get(section))
            continue
        for section in ("block", "rescue", "always"):
            yield from _tasks(item.get(section))
        if not {"block"} & set(item):
            yield item


def _action(task):
    actions = [key for key in task if key not in _TASK_KEYS and not key.startswith("with_")]
    return actions[0] if len(actions) == 1 else None


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


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
    for task in _tasks(data):
        action = _action(task)
        assert action, "%s: a task without exactly one module: %r" % (where, task)
        assert task.get("register") not in reserved, "%s: register: %s is a reserved name" % (where, task["register"])
        if action.startswith(PREFIX):
            module = importlib.import_module("ansible_collections.wtsadmin.rds.plugins.modules." + action[len(PREFIX):])
            args = task[action] or {}
            if isinstance(args, dict):  # templated values are checked for their type only when literal
                literal = {key: value for key, value in args.items() if not (isinstance(value, str) and "{{" in value)}
                errors = [str(error) for error in validate_args(module.module_args(), literal).errors.errors
                          if "missing required" not in str(error) or not set(args) - set(literal)]
                assert not errors, "%s: %s: %s" % (where, action, errors)
    for string in _strings(documents):
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


# The example plays that only read (these modules, nothing else) run against the emulated host, whatever
# group they name; the others are checked above only. Rulebooks (docs/eda.md: plays with rules) are not plays.
READ_ONLY = frozenset(("wtsadmin.rds.win_rds_session_info", "wtsadmin.rds.win_rds_process_info", "ansible.builtin.debug"))
READ_ONLY_PLAYS = [(where, play) for where, text in EXAMPLES for document in yaml.safe_load_all(text)
                   if isinstance(document, list) for play in document
                   if isinstance(play, dict) and "hosts" in play and not {"roles", "rules"} & set(play)
                   and {_action(task) for task in _tasks([play])} <= READ_ONLY]


def test_read_only_example_plays_are_found():
    assert {where.split(" ")[0] for where, _play in READ_ONLY_PLAYS} >= {"README.md", "docs/getting-started.md"}


@pytest.mark.parametrize("where, play", READ_ONLY_PLAYS, ids=[where for where, _play in READ_ONLY_PLAYS])
def test_read_only_example_plays_run_against_the_emulated_host(where, play, tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(rds_emulator.sample_state()))
    host = {"ansible_connection": "local", "ansible_python_interpreter": os.environ.get(
        "RDS_EMULATOR_PYTHON", str(ROOT / ".build" / "emulated-host" / "bin" / "python"))}
    groups = {group: {"hosts": {"rdsh01": host}} for group in ("session_hosts", "rds_management", "management_host")}
    (tmp_path / "inventory.json").write_text(json.dumps({"all": {"children": groups}}))
    (tmp_path / "play.yml").write_text(yaml.safe_dump([play]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_NOCOLOR="1",
               RDS_EMULATOR_STATE=str(state), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    run = subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(tmp_path / "inventory.json"),
                          str(tmp_path / "play.yml")], env=env, capture_output=True, text=True, timeout=600,
                         check=False)

    assert run.returncode == 0, "%s:\n%s%s" % (where, run.stdout[-3000:], run.stderr[-2000:])
    assert "failed=0" in run.stdout and "[WARNING]" not in run.stderr, run.stdout[-2000:] + run.stderr[-1000:]
