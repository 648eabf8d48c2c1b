# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every ctypes structure of the wrapper has the size, alignment and field offsets/sizes of its Windows type.

The Windows SDK headers as MinGW-w64 ships them are compiled for x86-64 Windows; sizeof, _Alignof,
offsetof and member sizes become a table of constants in the generated assembly, which is compared with
the ctypes classes. Structures MinGW-w64 lacks come from layouts/wtsapi32_docs.h (Microsoft's docs).
Nothing runs on Windows: everything is known at compile time.
"""

from __future__ import annotations

import ctypes
import pathlib
import re
import shutil
import subprocess

import pytest

from ansible_collections.wtsadmin.rds.plugins.module_utils import netapi, winapi, wts

COMPILER = "x86_64-w64-mingw32-gcc"
LAYOUTS = pathlib.Path(__file__).parent / "layouts"
# Declared in layouts/wtsapi32_docs.h under a DOCS_ prefix (this MinGW-w64's wtsapi32.h lacks them).
FROM_DOCS = {"WTS_SESSION_INFO_1W", "WTS_PROCESS_INFO_EXW", "WTSINFOEX_LEVEL1_W", "WTSINFOEX_LEVEL_W",
             "WTSINFOEXW"}


def structure_classes():
    """Every ctypes Structure/Union class the wrapper modules define."""
    return [value for module in (winapi, wts, netapi) for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, (ctypes.Structure, ctypes.Union))
            and value.__module__ == module.__name__]


def python_layout(cls):
    layout = {"sizeof": ctypes.sizeof(cls), "alignof": ctypes.alignment(cls)}
    for name, _type in cls._fields_:
        field = getattr(cls, name)
        layout[name] = (field.offset, field.size)
    return layout


def c_source(classes):
    lines = ["#define _WIN32_WINNT 0x0A00", "#include <windows.h>", "#include <wtsapi32.h>", "#include <lm.h>",
             "#include <tlhelp32.h>", "#include <stddef.h>", '#include "wtsapi32_docs.h"']
    for cls in classes:
        c_type = "DOCS_" + cls.__name__ if cls.__name__ in FROM_DOCS else cls.__name__
        values = ["sizeof(%s)" % c_type, "_Alignof(%s)" % c_type]
        for name, _type in cls._fields_:
            values += ["offsetof(%s, %s)" % (c_type, name), "sizeof(((%s *)0)->%s)" % (c_type, name)]
        lines.append("const unsigned long long layout_%s[] = {%s};" % (cls.__name__, ", ".join(values)))
    return "\n".join(lines) + "\n"


def compiled_values(source, tmp_path):
    """``{symbol: [numbers]}`` of the ``layout_*`` arrays in the assembly of ``source``."""
    if shutil.which(COMPILER) is None:
        pytest.fail("%s is missing: install the Debian package gcc-mingw-w64-x86-64 "
                    "(apt-get install gcc-mingw-w64-x86-64) to check the structure layouts" % COMPILER)
    c_file = tmp_path / "layouts.c"
    c_file.write_text(source)
    result = subprocess.run([COMPILER, "-S", "-O0", "-I", str(LAYOUTS), "-o", "-", str(c_file)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    tables, current = {}, None
    for line in result.stdout.splitlines():
        label = re.match(r"^(layout_\w+):$", line)
        quad = re.match(r"^\s+\.quad\s+(\d+)$", line)
        if label:
            current = tables.setdefault(label.group(1)[len("layout_"):], [])
        elif quad and current is not None:
            current.append(int(quad.group(1)))
        else:
            current = None
    return tables


def c_layout(cls, values):
    layout = {"sizeof": values[0], "alignof": values[1]}
    for index, (name, _type) in enumerate(cls._fields_):
        layout[name] = tuple(values[2 + 2 * index:4 + 2 * index])
    return layout


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    return compiled_values(c_source(structure_classes()), tmp_path_factory.mktemp("layouts"))


def test_the_wrapper_defines_the_structures_the_windows_calls_return():
    names = {cls.__name__ for cls in structure_classes()}
    assert {"WTS_SESSION_INFOW", "WTS_SESSION_INFO_1W", "WTS_PROCESS_INFOW", "WTS_PROCESS_INFO_EXW",
            "WTSINFOEXW", "WTSINFOEX_LEVEL_W", "WTSINFOEX_LEVEL1_W", "WTSCLIENTW", "SERVER_INFO_101",
            "PROCESSENTRY32W", "LUID", "LUID_AND_ATTRIBUTES", "TOKEN_PRIVILEGES"} == names


@pytest.mark.parametrize("cls", structure_classes(), ids=lambda cls: cls.__name__)
def test_structure_matches_the_windows_sdk_layout(cls, compiled):
    assert cls.__name__ in compiled, "the compiler emitted no layout for %s" % cls.__name__
    assert python_layout(cls) == c_layout(cls, compiled[cls.__name__])


def test_a_missing_compiler_fails_with_the_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(pytest.fail.Exception, match="gcc-mingw-w64-x86-64"):
        compiled_values("", tmp_path)
