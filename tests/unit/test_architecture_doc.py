# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/architecture.md's "Where is X" index names every Windows function the wrapper can call and every option
of every module, and each wrapper function it points to exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from ansible_collections.wtsadmin.rds.plugins.module_utils import netapi, winapi, wts

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("win_rds_*.py"))


def section(title):
    """The text of the ``### title`` section of the index."""
    return DOC.split("### %s\n" % title, 1)[1].split("\n#", 1)[0]


def test_every_function_of_the_prototype_tables_is_in_the_index():
    functions = (set(winapi.KERNEL32) | set(winapi.ADVAPI32) | set(winapi.IPHLPAPI) | set(wts.WTSAPI32)
                 | set(netapi.NETAPI32))
    listed = set(re.findall(r"\b(?:WTS|Net|Reg|Lookup|Convert|Open|Adjust|Close|Local|Get|Create|Process32|Query|Free)"
                            r"\w+", section("Windows functions")))
    assert functions <= listed, sorted(functions - listed)


@pytest.mark.parametrize("name", MODULES)
def test_every_option_of_the_module_is_in_the_index(name):
    module = importlib.import_module("ansible_collections.wtsadmin.rds.plugins.modules." + name)
    listed = set(re.findall(r"`(\w+)`", section("Options")))
    options = set(module.module_args()["argument_spec"])
    assert options <= listed, sorted(options - listed)


def test_the_wrapper_functions_the_index_points_to_exist():
    named = re.findall(r"`(winapi|wts|netapi|registry)\.(\w+)`", section("Windows functions"))
    assert named
    for module_name, attribute in named:
        module = importlib.import_module("ansible_collections.wtsadmin.rds.plugins.module_utils." + module_name)
        assert hasattr(module, attribute), "%s.%s" % (module_name, attribute)
