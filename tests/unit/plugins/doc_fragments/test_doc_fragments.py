# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module documentation as ansible-doc shows it, with the collection's doc fragments merged in."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("win_rds_*.py"))
READ_ONLY = ("win_rds_process_info", "win_rds_server_info", "win_rds_session_info")


@pytest.fixture(scope="module")
def docs():
    """``ansible-doc --json`` of every module: {module name: its documentation}."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"))
    done = subprocess.run([str(Path(sys.executable).parent / "ansible-doc"), "--json"]
                          + ["wtsadmin.rds." + name for name in MODULES],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return {name.rpartition(".")[2]: entry["doc"] for name, entry in json.loads(done.stdout).items()}


@pytest.mark.parametrize("name", MODULES)
def test_each_module_documents_exactly_the_options_of_its_argument_spec(docs, name):
    module = importlib.import_module("ansible_collections.wtsadmin.rds.plugins.modules." + name)

    assert set(docs[name]["options"]) == set(module.module_args()["argument_spec"])


@pytest.mark.parametrize("name", MODULES)
def test_each_module_gets_the_shared_authors_and_attributes(docs, name):
    doc = docs[name]

    assert doc["author"] == ["wtsadmin.rds maintainers (@wtsadmin)"]
    assert doc["attributes"]["platform"]["platforms"] == "windows"
    assert doc["attributes"]["check_mode"]["support"] == "full"
    assert doc["attributes"]["action_group"]["membership"] == ["wtsadmin.rds.rds"]
    assert doc["attributes"]["check_mode"]["details"]


def test_the_modules_own_attribute_values_win_over_the_fragments(docs):
    assert docs["win_rds_session"]["attributes"]["diff_mode"]["support"] == "full"
    assert docs["win_rds_message"]["attributes"]["diff_mode"]["support"] == "none"
    assert all(docs[name]["attributes"]["check_mode"]["details"] == "The module only reads; it runs the same in "
               "check mode." for name in READ_ONLY)
    assert docs["win_rds_wait"]["attributes"]["check_mode"]["details"].startswith("The module only waits")


def test_modules_that_work_servers_note_that_one_failure_never_stops_the_others(docs):
    working = [name for name in MODULES if "on_error" in docs[name]["options"]]

    assert len(working) == 7
    for name in working:
        assert any("never stops the others" in note for note in docs[name]["notes"]), name
        assert any(entry.get("name") == "Remote Desktop Services permissions" for entry in docs[name]["seealso"])
