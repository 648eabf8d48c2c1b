# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declared result shapes (plugins/module_utils/_shapes.py) against each module's RETURN documentation, both
ways, and against what the modules return from the emulated farm (docs/architecture.md, "Where is X")."""

from __future__ import annotations

import importlib
import types
import typing

import pytest
import yaml

from ansible_collections.wtsadmin.rds.plugins.module_utils import _runner, _shapes
from ansible_collections.wtsadmin.rds.plugins.module_utils._processes import PROCESS_FIELDS
from ansible_collections.wtsadmin.rds.plugins.module_utils._sessions import SESSION_FIELDS
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import validate_args
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import task_message

# Keys of every module result that Ansible defines, which RETURN documents only where a module says more of them.
ANSIBLE_KEYS = frozenset(("changed", "failed", "msg", "warnings", "deprecations", "diff", "invocation"))
# The RETURN type of each Python type of a shape.
DOC_TYPES = {int: "int", str: "str", bool: "bool", float: "float", list: "list", dict: "dict"}


def module(name):
    return importlib.import_module("ansible_collections.wtsadmin.rds.plugins.modules." + name)


def documented(name):
    return yaml.safe_load(module(name).RETURN)


def _shapes_of(annotation):
    """The TypedDicts a dict annotation allows (several for a Union), or () for a plain dict or another type."""
    options = [arg for arg in typing.get_args(annotation) if arg is not types.NoneType] \
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) else [annotation]
    return tuple(option for option in options if typing.is_typeddict(option))


def _plain(annotation):
    """``annotation`` without Optional/None; the first TypedDict of a Union of them."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not types.NoneType]
        return options[0]
    return annotation


def doc_type(annotation):
    """The RETURN ``type`` of a shape's annotation."""
    plain = _plain(annotation)
    if typing.is_typeddict(plain):
        return "dict"
    return DOC_TYPES[typing.get_origin(plain) or plain]


def declared_keys(shapes):
    """Key -> annotation of one TypedDict or the union of several."""
    keys = {}
    for shape in shapes:
        keys.update(typing.get_type_hints(shape))
    return keys


def compare(docs, shapes, path, ignore=frozenset()):
    """Every difference between the documented keys ``docs`` (RETURN, or a ``contains``) and ``shapes``."""
    declared = declared_keys(shapes)
    problems = ["%s%s is documented but not declared" % (path, key) for key in sorted(set(docs) - set(declared) - ignore)]
    problems += ["%s%s is declared but not documented" % (path, key) for key in sorted(set(declared) - set(docs) - ignore)]
    for key in sorted(set(docs) & set(declared)):
        doc, annotation = docs[key], declared[key]
        if doc["type"] != doc_type(annotation):
            problems.append("%s%s: documented as %s, declared as %s" % (path, key, doc["type"], annotation))
            continue
        inner = _plain(annotation)
        if doc["type"] == "list":
            (element,) = typing.get_args(inner)
            if doc.get("elements") != doc_type(element):
                problems.append("%s%s: elements documented as %s, declared as %s" % (
                    path, key, doc.get("elements"), element))
            elif _shapes_of(element):
                problems += compare(doc.get("contains", {}), _shapes_of(element), "%s%s[]." % (path, key))
        elif _shapes_of(annotation):
            problems += compare(doc.get("contains", {}), _shapes_of(annotation), "%s%s." % (path, key))
        elif doc.get("contains"):
            problems.append("%s%s: contains is documented, but its shape is not declared" % (path, key))
    return problems


@pytest.mark.parametrize("name", sorted(_shapes.RESULTS))
def test_return_documents_every_declared_key_and_no_other(name):
    assert compare(documented(name), (_shapes.RESULTS[name],), "", ignore=ANSIBLE_KEYS) == []


def test_every_module_has_a_declared_result():
    from pathlib import Path

    modules = Path(module("win_rds_session").__file__).parent
    assert sorted(_shapes.RESULTS) == sorted(path.stem for path in modules.glob("win_rds_*.py"))


def test_fields_are_the_keys_of_the_declared_shapes():
    assert set(SESSION_FIELDS) == set(typing.get_type_hints(_shapes.Session)) - {"server"}
    assert set(PROCESS_FIELDS) == set(typing.get_type_hints(_shapes.Process)) - {"server"}


def test_the_comparison_finds_a_key_missing_on_either_side_and_a_wrong_type():
    docs = {"session_id": {"type": "str"}, "session_name": {"type": "str"}, "state": {"type": "str"},
            "ghost": {"type": "int"}}

    problems = compare(docs, (_shapes.SessionSummary,), "sessions[].")

    assert problems == ["sessions[].ghost is documented but not declared",
                        "sessions[].server is declared but not documented",
                        "sessions[].user is declared but not documented",
                        "sessions[].session_id: documented as str, declared as <class 'int'>"]


# What the modules return against the emulated farm: every key declared, every value of its declared type, and
# (over all the runs of a module) every declared key returned at least once.

def conformance(value, annotation, path, seen):
    """Every way ``value`` differs from ``annotation``; records each key path returned in ``seen``."""
    if value is None:
        allowed = typing.get_origin(annotation) in (typing.Union, types.UnionType) and types.NoneType in typing.get_args(annotation)
        return [] if allowed else ["%s is None, declared as %s" % (path, annotation)]
    shapes = _shapes_of(annotation)
    if shapes:
        if not isinstance(value, dict):
            return ["%s is %r, declared as %s" % (path, value, annotation)]
        declared = declared_keys(shapes)
        problems = []
        for key, item in value.items():
            seen.add("%s.%s" % (path, key))
            if key not in declared:
                problems.append("%s.%s is returned but not declared" % (path, key))
            else:
                problems += conformance(item, declared[key], "%s.%s" % (path, key), seen)
        return problems
    plain = _plain(annotation)
    origin = typing.get_origin(plain) or plain
    if not isinstance(value, origin) or (origin is int and isinstance(value, bool)):
        return ["%s is %r, declared as %s" % (path, value, annotation)]
    if origin is list:
        (element,) = typing.get_args(plain)
        return [problem for index, item in enumerate(value)
                for problem in conformance(item, element, "%s[]" % path, seen)]
    if origin is dict and typing.get_args(plain):
        key_type, value_type = typing.get_args(plain)
        return [problem for key, item in value.items()
                for problem in conformance(key, key_type, "%s key" % path, seen) + conformance(item, value_type, "%s[]" % path, seen)]
    return []


def declared_paths(annotation, path):
    """Every key path a value of ``annotation`` may have (as conformance() records them)."""
    shapes = _shapes_of(annotation)
    if shapes:
        return {found for key, inner in declared_keys(shapes).items()
                for found in {"%s.%s" % (path, key)} | declared_paths(inner, "%s.%s" % (path, key))}
    plain = _plain(annotation)
    if typing.get_origin(plain) is list:
        return declared_paths(typing.get_args(plain)[0], "%s[]" % path)
    return set()


def run(name, args, check_mode=False):
    """The module's main() as it runs on the host (as tests/unit/plugins/modules/conftest.py's run_main)."""
    checked = validate_args(module(name).module_args(), args)
    assert not checked.errors.errors, checked.errors.errors
    task = task_message(checked.validated_parameters, check_mode=check_mode)
    loaded = module(name)
    original = loaded.AnsibleModule
    loaded.AnsibleModule = type("AnsibleModule", (_runner.AnsibleModule,), {"_task": task})
    try:
        with pytest.raises(_runner.ModuleExit) as done:
            loaded.main()
    finally:
        loaded.AnsibleModule = original
    return done.value.result


def logoff_event(emulator):
    with emulator.edit() as state:
        state["servers"]["RDSH01"]["events"] = [
            {"delay_seconds": 0.2, "flags": ["logoff"], "change": {"session_id": 3, "remove": True}}]


def refused(function, **where):
    """A preparation: ``function`` fails with ERROR_ACCESS_DENIED for the session or process ``where`` names."""
    return lambda emulator: emulator.inject(function, 5, **where)


# Module -> runs that between them return every declared key: (arguments, check mode, preparation of the farm).
RUNS = {
    "win_rds_session_info": [({}, False, None), ({"server": ["RDSH01", "RDSH03"], "on_error": "warn"}, False, None)],
    "win_rds_session": [({"state": "disconnected", "session_state": "active"}, True, None),
                        ({"state": "logged_off", "session_id": [4], "on_error": "warn"}, False,
                         refused("WTSLogoffSession", session_id=4)),
                        ({"state": "logged_off", "server": ["RDSH02", "RDSH03"], "all": True, "on_error": "warn"},
                         False, None)],
    "win_rds_message": [({"msg": "x", "server": ["RDSH02", "RDSH03"], "on_error": "warn"}, False, None),
                        ({"msg": "x", "on_error": "warn"}, False, refused("WTSSendMessageW", session_id=2))],
    "win_rds_process_info": [({"server": ["RDSH01", "RDSH03"], "on_error": "warn"}, False, None)],
    "win_rds_process": [({"state": "absent", "pid": 3630, "server": ["RDSH01", "RDSH03"], "on_error": "warn"},
                         False, refused("WTSTerminateProcess", pid=3630)),
                        ({"state": "absent", "name": ["lsass", "notepad"]}, False, None)],
    "win_rds_wait": [({"until": "no_user_sessions", "username": "bob", "timeout": 10}, True, logoff_event),
                     ({"server": ["RDSH02", "RDSH03"], "until": "no_active_sessions", "timeout": 0,
                       "fail_on_timeout": False, "on_error": "warn"}, False, None)],
    "win_rds_server": [({"state": "rebooted", "server": ["RDSH02", "RDSH03"], "on_error": "warn"}, True, None),
                       ({"logons": "drain"}, True, None)],
    "win_rds_server_info": [({}, False, None)],
    "win_rds_virtual_channel": [({"session_id": 2, "name": "ECHO", "data": "ping", "read": True}, False, None),
                                ({"session_id": 2, "name": "CTXCMD", "query_client_data": True}, False, None),
                                ({"session_id": 2, "name": "CTXCMD", "query_client_data": True}, True, None)],
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_what_a_module_returns_is_its_declared_shape(emulator, name):
    shape = _shapes.RESULTS[name]
    declared = typing.get_type_hints(shape)
    problems, seen = [], set()
    for args, check_mode, prepare in RUNS[name]:
        if prepare:
            prepare(emulator)
        result = run(name, args, check_mode)
        for key, value in result.items():
            if key in declared:
                seen.add(".%s" % key)
                problems += conformance(value, declared[key], ".%s" % key, seen)
            elif key not in ANSIBLE_KEYS:
                problems.append(".%s is returned but not declared" % key)
    assert problems == []
    never = declared_paths(shape, "") - seen - {".error_code"}  # win_rds_server_info's failure: see test below
    assert sorted(never) == []


def test_a_failed_server_info_returns_its_declared_error_code(emulator):
    emulator.inject("NetServerEnum", 2127)
    result = run("win_rds_server_info", {})

    assert result["failed"] is True
    assert conformance(result["error_code"], typing.get_type_hints(_shapes.ServerInfoResult)["error_code"],
                       ".error_code", set()) == []


@pytest.mark.parametrize("server", [None, "RDSH02"])
def test_the_wrappers_entries_are_their_declared_shapes(emulator, server):
    from ansible_collections.wtsadmin.rds.plugins.module_utils import wts

    problems, seen = [], set()
    with wts.open_server(server) as handle:
        listed = wts.enumerate_sessions(handle)
        details = [wts.session_details(handle, session["session_id"]) for session in listed
                   if session["state"] != "listen"]
        processes = wts.enumerate_processes(handle, server)
    for entries, shape in ((listed, _shapes.ListedSession), (details, _shapes.SessionDetails),
                           (processes, _shapes.ListedProcess)):
        assert entries
        problems += conformance(entries, typing.List[shape], shape.__name__, seen)
        assert set.union(*(set(entry) for entry in entries)) == set(typing.get_type_hints(shape)), shape.__name__
    assert problems == []
