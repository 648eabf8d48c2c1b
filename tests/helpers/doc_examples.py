# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every example of the collection, extracted automatically so that a new one cannot escape its tests: the
EXAMPLES of every plugin and every ```yaml block of the README, docs/*.md (docs/modules/ is generated from
EXAMPLES) and the roles' READMEs. tests/unit/test_examples.py checks them all; tests/integration/test_examples.py
runs every example play and task against the emulated host."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "wtsadmin.rds."
_FENCE = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
PLAY_KEYS = frozenset(("hosts", "import_playbook"))
TASK_KEYS = frozenset((
    "name", "register", "when", "loop", "loop_control", "vars", "check_mode", "diff", "until", "retries",
    "delay", "ignore_errors", "changed_when", "failed_when", "delegate_to", "run_once", "tags", "no_log",
    "environment", "become", "block", "rescue", "always", "module_defaults", "notify", "async", "poll",
    "with_items", "throttle", "timeout", "any_errors_fatal", "apply", "listen", "args"))


def examples():
    """(where, text) of every example: ``plugins/modules/x.py EXAMPLES`` or ``docs/x.md line N``."""
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


def tasks(items):
    """Every task of a list of plays or tasks, blocks opened."""
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        if PLAY_KEYS & set(item):
            for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
                yield from tasks(item.get(section))
            continue
        for section in ("block", "rescue", "always"):
            yield from tasks(item.get(section))
        if not {"block"} & set(item):
            yield item


def action(task):
    """The module or action of ``task``, or None when it has not exactly one."""
    actions = [key for key in task if key not in TASK_KEYS and not key.startswith("with_")]
    return actions[0] if len(actions) == 1 else None


def strings(value):
    """Every string in ``value`` (keys too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def kind(document):
    """What a YAML document of an example is: ``plays``, ``rulebook`` (ansible-rulebook's: plays with
    ``rules``, run by tests/integration/test_rulebook.py), ``tasks`` or ``data`` (an inventory source, variables,
    an AWX definition)."""
    if not isinstance(document, list) or not document or not all(isinstance(item, dict) for item in document):
        return "data"
    if all("hosts" in item for item in document):
        return "rulebook" if any("rules" in item for item in document) else "plays"
    if all(action(item) or "block" in item for item in document):
        return "tasks"
    return "data"


def example_plays(text):
    """The examples of one block, each a play to run by itself: ``(name, play)``.

    Each play of a playbook is an example. In a task list (module EXAMPLES, task snippets of the guides)
    each task is one, together with the later tasks that use what it registered (``Show the answer`` after
    the task that registered the answer); a sequence that belongs together is written as a ``block``. A task
    list becomes a play on ``hosts: all`` without facts.
    """
    for document in yaml.safe_load_all(text):
        what = kind(document)
        if what == "plays":
            for play in document:
                yield play.get("name") or play["hosts"], play
        elif what == "tasks":
            for group in _dependent_groups(document):
                yield group[0].get("name", action(group[0])), {
                    "name": group[0].get("name", action(group[0])), "hosts": "all", "gather_facts": False,
                    "tasks": group}


_BARE_EXPRESSIONS = ("when", "until", "changed_when", "failed_when")


def expressions(task):
    """The Jinja expressions of ``task`` and its block: in ``{{ }}`` and the bare ones of ``when`` and the like."""
    found = []
    for item in [task] + list(tasks(task.get("block"))):
        for key, value in item.items():
            if key in ("name", "register", "block", "rescue", "always"):
                continue
            found += [value] if key in _BARE_EXPRESSIONS and isinstance(value, str) else [
                expression for text in strings(value) for expression in re.findall(r"{{(.*?)}}", text, re.S)]
            if key in _BARE_EXPRESSIONS and isinstance(value, list):
                found += [entry for entry in value if isinstance(entry, str)]
    return found


def _defines(task):
    """The variables ``task`` (and its block) defines for later tasks: what it registers, and what it sets with
    set_fact."""
    names = set()
    for item in [task] + list(tasks(task.get("block"))):
        if "register" in item:
            names.add(item["register"])
        if action(item) in ("ansible.builtin.set_fact", "set_fact") and isinstance(item[action(item)], dict):
            names.update(item[action(item)])
    return names


def _dependent_groups(task_list):
    """``task_list`` cut into examples: a task joins the example(s) whose variables it uses (merging them)."""
    groups, defined_by = [], {}  # variable -> index of the group that defines it
    for task in task_list:
        text = json.dumps(expressions(task))
        used = sorted({index for name, index in defined_by.items() if re.search(r"\b%s\b" % re.escape(name), text)})
        if used:
            index = used[0]
            for other in used[1:]:
                groups[index] += groups[other]
                groups[other] = []
                defined_by.update((name, index) for name, owner in defined_by.items() if owner == other)
            groups[index].append(task)
        else:
            index = len(groups)
            groups.append([task])
        defined_by.update((name, index) for name in _defines(task))
    order = {id(task): position for position, task in enumerate(task_list)}
    return [sorted(group, key=lambda task: order[id(task)]) for group in groups if group]
