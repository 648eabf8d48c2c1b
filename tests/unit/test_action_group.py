# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action group wtsadmin.rds.rds (meta/runtime.yml): module_defaults for it set server and on_error, so
every module of the group takes both, with the same meaning. The integration target module_defaults runs
every module of the group under those defaults."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import server_spec

ROOT = Path(__file__).resolve().parents[2]
GROUP = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["action_groups"]["rds"]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("win_rds_*.py"))


def _spec(name):
    return importlib.import_module("ansible_collections.wtsadmin.rds.plugins.modules." + name).module_args()


def test_every_module_of_the_group_takes_the_common_options_with_the_same_meaning():
    for name in GROUP:
        argument_spec = _spec(name)["argument_spec"]
        assert {key: argument_spec.get(key) for key in server_spec()} == server_spec(), name


def test_the_modules_left_out_of_the_group_are_those_whose_server_means_something_else():
    left_out = sorted(set(MODULES) - set(GROUP))

    assert left_out == ["win_rds_server_info", "win_rds_virtual_channel"]
    for name in left_out:
        assert _spec(name)["argument_spec"]["server"]["type"] == "str"
        assert "on_error" not in _spec(name)["argument_spec"]
