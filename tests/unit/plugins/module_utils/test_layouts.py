# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every ctypes structure of the wrapper has the size, alignment and field offsets/sizes of its Windows type,
and every prototype of the wrapper's tables is the one the Windows SDK header declares.

The Windows SDK headers as MinGW-w64 ships them are compiled for x86-64 Windows; sizeof, _Alignof,
offsetof and member sizes become a table of constants in the generated assembly, which is compared with
the ctypes classes. For the prototypes, each table entry (KERNEL32, ADVAPI32, IPHLPAPI, WTSAPI32, NETAPI32) is written
back as the C function pointer type its type names spell (``DWORD`` -> ``DWORD``, ``POINTER(DWORD)`` ->
``DWORD *``), which the compiler compares with the header's declaration, and each type name's ctypes alias
is compared with the C type by size and signedness. Structures and functions MinGW-w64 lacks come from
layouts/wtsapi32_docs.h (Microsoft's docs). Nothing runs on Windows: everything is known at compile time.
"""

from __future__ import annotations

import ast
import ctypes
import inspect
import pathlib
import re
import shutil
import subprocess

import pytest

from ansible_collections.wtsadmin.rds.plugins.module_utils import _cache_acl, netapi, registry, winapi, wts

COMPILER = "x86_64-w64-mingw32-gcc"
LAYOUTS = pathlib.Path(__file__).parent / "layouts"
# Declared in layouts/wtsapi32_docs.h under a DOCS_ prefix (this MinGW-w64's wtsapi32.h lacks them).
FROM_DOCS = {"WTS_SESSION_INFO_1W", "WTS_PROCESS_INFO_EXW", "WTSINFOEX_LEVEL1_W", "WTSINFOEX_LEVEL_W",
             "WTSINFOEXW", "WTSOpenServerExW", "WTSEnumerateSessionsExW", "WTSFreeMemoryExW",
             "WTSEnumerateProcessesExW", "PWTS_SESSION_INFO_1W", "WTS_TYPE_CLASS"}
# The prototype tables: (module, table name, DLL). _cache_acl has tables of its own (it must not import winapi).
TABLES = ((winapi, "KERNEL32", "kernel32"), (winapi, "ADVAPI32", "advapi32"), (winapi, "IPHLPAPI", "iphlpapi"),
          (wts, "WTSAPI32", "wtsapi32"), (netapi, "NETAPI32", "netapi32"), (_cache_acl, "KERNEL32", "kernel32"),
          (_cache_acl, "ADVAPI32", "advapi32"))
WRAPPERS = (winapi, wts, netapi, _cache_acl)  # the modules that define structures
HEADERS = ["#define _WIN32_WINNT 0x0A00", "#include <winsock2.h>", "#include <windows.h>", "#include <wtsapi32.h>",
           "#include <lm.h>", "#include <tlhelp32.h>", "#include <sddl.h>", "#include <ws2ipdef.h>",
           "#include <iphlpapi.h>", "#include <aclapi.h>", "#include <stddef.h>", '#include "wtsapi32_docs.h"']


def structure_classes():
    """Every ctypes Structure/Union class the wrapper modules define."""
    return [value for module in WRAPPERS for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, (ctypes.Structure, ctypes.Union))
            and value.__module__ == module.__name__]


def python_layout(cls):
    layout = {"sizeof": ctypes.sizeof(cls), "alignof": ctypes.alignment(cls)}
    for name, _type in cls._fields_:
        field = getattr(cls, name)
        layout[name] = (field.offset, field.size)
    return layout


def c_source(classes):
    lines = list(HEADERS)
    for cls in classes:
        c_type = "DOCS_" + cls.__name__ if cls.__name__ in FROM_DOCS else cls.__name__
        values = ["sizeof(%s)" % c_type, "_Alignof(%s)" % c_type]
        for name, _type in cls._fields_:
            values += ["offsetof(%s, %s)" % (c_type, name), "sizeof(((%s *)0)->%s)" % (c_type, name)]
        lines.append("const unsigned long long layout_%s[] = {%s};" % (cls.__name__, ", ".join(values)))
    return "\n".join(lines) + "\n"


def compiled_values(source, tmp_path):
    """``{symbol: [numbers]}`` of the ``layout_*``, ``proto_*`` and ``alias_*`` arrays in the assembly of
    ``source`` (the symbol without its prefix)."""
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
        label = re.match(r"^(?:layout|proto|alias)_(\w+):$", line)
        quad = re.match(r"^\s+\.quad\s+(\d+)$", line)
        if label:
            current = tables.setdefault(label.group(1), [])
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
            "PROCESSENTRY32W", "LUID", "LUID_AND_ATTRIBUTES", "TOKEN_PRIVILEGES", "SOCKADDR_IN", "SOCKADDR_IN6",
            "SOCKADDR_INET", "MIB_UNICASTIPADDRESS_ROW", "MIB_UNICASTIPADDRESS_TABLE", "ACL", "ACE_HEADER",
            "ACCESS_ALLOWED_ACE", "SID_AND_ATTRIBUTES", "TOKEN_USER"} == names


@pytest.mark.parametrize("cls", structure_classes(), ids=lambda cls: cls.__name__)
def test_structure_matches_the_windows_sdk_layout(cls, compiled):
    assert cls.__name__ in compiled, "the compiler emitted no layout for %s" % cls.__name__
    assert python_layout(cls) == c_layout(cls, compiled[cls.__name__])


def test_a_missing_compiler_fails_with_the_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(pytest.fail.Exception, match="gcc-mingw-w64-x86-64"):
        compiled_values("", tmp_path)


# --- prototypes ----------------------------------------------------------------------------------------

def prototype_tables():
    """``{symbol: (dll, module, [type expressions], function)}`` of every prototype table, as written in the
    source: each type an ast node (a type name, or POINTER(type)). The symbol is the function's name, prefixed by
    its module's where two tables declare the same function (each declaration is checked)."""
    found = {}
    for module, table, dll in TABLES:
        tree = ast.parse(inspect.getsource(module))
        [assignment] = [node for node in tree.body if isinstance(node, ast.Assign)
                        and [getattr(target, "id", None) for target in node.targets] == [table]]
        for key, value in zip(assignment.value.keys, assignment.value.values):
            symbol = key.value if key.value not in found else "%s_%s" % (module.__name__.rsplit(".", 1)[1], key.value)
            found[symbol] = (dll, module, value.elts, key.value)
    return found


def c_type(node):
    """The C spelling of a table's type expression: ``DWORD``, ``POINTER(DWORD)`` -> ``DWORD *``."""
    if isinstance(node, ast.Call) and node.func.id == "POINTER":
        return c_type(node.args[0]) + " *"
    return "DOCS_" + node.id if node.id in FROM_DOCS else node.id


def type_names(node):
    """The type names a table's type expression uses."""
    return type_names(node.args[0]) if isinstance(node, ast.Call) else {node.id}


def prototype_source(tables):
    lines = list(HEADERS)
    aliases = {}
    for name, (_dll, module, types, real) in sorted(tables.items()):
        function = "DOCS_" + real if real in FROM_DOCS else real
        expected = "%s (WINAPI *)(%s)" % (c_type(types[0]), ", ".join(c_type(t) for t in types[1:]) or "void")
        lines.append("const unsigned long long proto_%s[] = {1, __builtin_types_compatible_p(__typeof__(&%s), %s)};"
                     % (name, function, expected))
        for node in types:
            aliases.update((alias, module) for alias in type_names(node) if alias != "VOID")
    for alias, module in sorted(aliases.items()):
        ctype = getattr(module, alias)
        signed = "((%s)-1) < 0" % c_type(ast.Name(alias)) if issubclass(ctype, ctypes._SimpleCData) and (
            ctype._type_ in "bBhHiIlLqQ") else "2"
        lines.append("const unsigned long long alias_%s[] = {sizeof(%s), %s};" % (alias, c_type(ast.Name(alias)), signed))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def prototypes(tmp_path_factory):
    return compiled_values(prototype_source(prototype_tables()), tmp_path_factory.mktemp("prototypes"))


def test_every_function_the_wrapper_calls_has_a_prototype_in_its_dlls_table():
    tables = prototype_tables()
    called = set()
    for module in (winapi, wts, netapi, registry, _cache_acl):
        source = inspect.getsource(module)
        called.update(re.findall(r'(?:_wts|_net|kernel32|advapi32|iphlpapi)\("(\w+)"\)', source))
    declared = {entry[3] for entry in tables.values()}
    assert called <= declared, sorted(called - declared)
    assert {"WTSOpenServerExW", "WTSSendMessageW", "NetServerEnum", "LookupAccountSidW", "Process32FirstW",
            "RegQueryValueExW"} <= set(tables)


@pytest.mark.parametrize("name", sorted(prototype_tables()))
def test_prototype_matches_the_windows_sdk_header(name, prototypes):
    _dll, _module, types, _function = prototype_tables()[name]
    assert prototypes.get(name) == [1, 1], "%s is not %s (WINAPI *)(%s) in the SDK header" % (
        name, c_type(types[0]), ", ".join(c_type(t) for t in types[1:]))


def test_every_type_name_of_the_tables_has_the_size_and_signedness_of_the_sdk_type(prototypes):
    checked = 0
    for _name, (_dll, module, types, _function) in prototype_tables().items():
        for alias in set().union(*(type_names(node) for node in types)) - {"VOID"}:
            ctype = getattr(module, alias)
            size, signed = prototypes[alias]
            assert ctypes.sizeof(ctype) == size, "%s: ctypes %s is %d bytes, the SDK type %d" % (
                alias, ctype.__name__, ctypes.sizeof(ctype), size)
            # An integer type; C leaves an enumeration's signedness to the compiler (GCC: unsigned, MSVC: int).
            if signed != 2 and not alias.endswith("_CLASS"):
                assert (ctype(-1).value < 0) == bool(signed), "%s: signedness differs from the SDK type" % alias
            checked += 1
    assert checked
