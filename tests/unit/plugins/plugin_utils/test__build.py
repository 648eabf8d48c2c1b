# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A module's payload and argument spec are built at most once per controller run and source version
(plugins/plugin_utils/_build.py), and packing never imports the collection's code."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _build, _payload

PROBE = "ansible_collections.rdsfixture.runner.plugins.modules.probe"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    """Each test starts like a new worker: nothing built in this process yet."""
    monkeypatch.setattr(_build, "_BUILDS", {})
    monkeypatch.setattr(_build, "_PREPARED", {})


def test_a_build_holds_the_payload_and_the_modules_own_module_args(tmp_path):
    build = _build.module_build(PROBE, str(tmp_path))
    probe = __import__(PROBE, fromlist=["module_args"])
    assert build.module_args == probe.module_args()
    assert build.payload == _payload.module_payload.__wrapped__(PROBE)


def test_another_worker_reads_the_build_from_disk_without_importing_or_packing(tmp_path, monkeypatch):
    first = _build.module_build(PROBE, str(tmp_path))
    monkeypatch.setattr(_build, "_BUILDS", {})  # the next forked worker

    def refuse(*args):
        raise AssertionError("built again")

    monkeypatch.setattr(_payload, "module_payload", refuse)
    monkeypatch.setattr(_build.importlib, "import_module", refuse)
    second = _build.module_build(PROBE, str(tmp_path))
    assert second.payload == first.payload
    assert second.module_args == _build._as_lists(first.module_args)  # JSON gives tuples back as lists
    assert [path.name for path in (tmp_path / _build.CACHE_DIR).iterdir()] == [_build.source_key(PROBE) + ".json"]


def test_a_worker_forked_after_prepare_takes_the_build_from_memory(tmp_path, monkeypatch):
    # the strategy imports the action plugin class in the main process, which prepares its module there
    monkeypatch.setattr(_build.C, "DEFAULT_LOCAL_TMP", str(tmp_path))
    _build.prepare(PROBE)
    prepared = _build._PREPARED[PROBE]
    monkeypatch.setattr(_build, "_BUILDS", {})  # a fresh worker: only what the main process held before the fork

    def refuse(*args):
        raise AssertionError("looked for the build again")

    monkeypatch.setattr(_build, "source_key", refuse)
    monkeypatch.setattr(_build, "_read", refuse)
    assert _build.module_build(PROBE) is prepared
    assert prepared.payload == _payload.module_payload.__wrapped__(PROBE)


def test_a_worker_forked_after_the_action_plugin_class_was_defined_finds_the_frame_of_the_program(tmp_path, monkeypatch):
    from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import RdsModuleAction

    monkeypatch.setattr(_build.C, "DEFAULT_LOCAL_TMP", str(tmp_path))
    _payload.program_frame.cache_clear()
    type("ActionModule", (RdsModuleAction,), {"__module__": PROBE.replace(".modules.", ".action.")})
    prepared = _build._PREPARED[PROBE]

    def refuse(*args):
        raise AssertionError("the payload's program was formatted in the worker")

    monkeypatch.setattr(_payload, "python_fix", refuse)
    program = _payload.program(prepared.payload, _payload.task_message({"name": "x"}))
    assert prepared.payload.encode("ascii") in program


def full_collections():
    return gc.get_stats()[2]["collections"]


def test_prepare_in_the_main_process_makes_the_full_garbage_collection_its_imports_made_due(tmp_path, monkeypatch):
    monkeypatch.setattr(_build.C, "DEFAULT_LOCAL_TMP", str(tmp_path))
    before = full_collections()
    _build.prepare(PROBE)
    assert full_collections() > before


def test_prepare_in_a_worker_leaves_the_garbage_collection_to_python(tmp_path, monkeypatch):
    monkeypatch.setattr(_build.C, "DEFAULT_LOCAL_TMP", str(tmp_path))
    monkeypatch.setattr(_build.multiprocessing, "parent_process", object)  # forked by Ansible: a parent
    gc.disable()  # nothing else collects meanwhile
    try:
        before = full_collections()
        _build.prepare(PROBE)
        assert full_collections() == before
    finally:
        gc.enable()


def test_defining_an_action_plugin_class_prepares_its_module(tmp_path, monkeypatch):
    from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import RdsModuleAction

    monkeypatch.setattr(_build.C, "DEFAULT_LOCAL_TMP", str(tmp_path))
    type("ActionModule", (RdsModuleAction,), {"__module__": PROBE.replace(".modules.", ".action.")})
    assert _build._PREPARED[PROBE].payload == _payload.module_payload.__wrapped__(PROBE)


def test_a_module_that_cannot_be_built_is_left_to_the_worker(tmp_path, monkeypatch):
    monkeypatch.setattr(_build.C, "DEFAULT_LOCAL_TMP", str(tmp_path))
    missing = PROBE.replace("probe", "no_such_module")
    _build.prepare(missing)  # raises nothing: the worker builds again and fails the task with the reason
    assert missing not in _build._PREPARED
    with pytest.raises(Exception):
        _build.module_build(missing)


def test_the_cache_directory_is_private_to_the_user(tmp_path):
    _build.module_build(PROBE, str(tmp_path))
    assert (tmp_path / _build.CACHE_DIR).stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("content", ["", "{not json", json.dumps({"format": _build.FORMAT, "key": "other"}), "[]"])
def test_a_damaged_or_foreign_cache_entry_is_rebuilt(tmp_path, content):
    directory = tmp_path / _build.CACHE_DIR
    directory.mkdir()
    (directory / (_build.source_key(PROBE) + ".json")).write_text(content)
    build = _build.module_build(PROBE, str(tmp_path))
    assert build.payload == _payload.module_payload.__wrapped__(PROBE)


def test_the_key_changes_with_any_module_util_and_the_module(tmp_path, monkeypatch):
    copy = tmp_path / "collections"
    shutil.copytree(FIXTURES / "ansible_collections", copy / "ansible_collections")
    root = copy / "ansible_collections" / "rdsfixture" / "runner"
    monkeypatch.setattr(_payload, "collection_root", lambda name: root)
    before = _build.source_key(PROBE)
    util = root / "plugins" / "module_utils" / "_unused.py"  # not imported by the probe: still part of the key
    util.write_text(util.read_text() + "\n# changed\n")
    after_util = _build.source_key(PROBE)
    module = root / "plugins" / "modules" / "probe.py"
    module.write_text(module.read_text() + "\n# changed\n")
    assert len({before, after_util, _build.source_key(PROBE)}) == 3


def test_packing_imports_nothing_of_the_collection():
    code = ("import sys; sys.path[:0] = %r\n"
            "from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _payload\n"
            "before = set(sys.modules)\n"
            "_payload.module_payload(%r)\n"
            "print(sorted(m for m in set(sys.modules) - before if m.startswith('ansible_collections')))"
            % ([str(FIXTURES)] + [p for p in sys.path if p], PROBE))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONPATH=""))
    imported = json.loads(done.stdout.replace("'", '"'))
    assert not [name for name in imported if ".module_utils." in name or ".modules." in name], imported
