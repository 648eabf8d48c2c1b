# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The values the controller refuses before any host is contacted (plugins/module_utils/_limits.py, applied by
plugin_utils/_action.py validate_args): integers that do not fit their Windows type, inf and nan, NUL
characters, empty names and an empty server list (issue #19, items 3, 8, 9, 10 and 12)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from ansible_collections.wtsadmin.rds.plugins import modules
from ansible_collections.wtsadmin.rds.plugins.module_utils._limits import FLOAT_RANGES, INTEGER_RANGES
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import validate_args

MODULES = {info.name: importlib.import_module("%s.%s" % (modules.__name__, info.name))
           for info in pkgutil.iter_modules(modules.__path__)}
FAN_OUT_MODULES = sorted(name for name, module in MODULES.items()
                         if module.module_args()["argument_spec"].get("server", {}).get("type") == "list")
# The least each module needs besides the option under test, so that only that option can be wrong.
BASE = {
    "win_rds_session": {"state": "logged_off", "all": True},
    "win_rds_message": {"msg": "The server restarts at 22:00."},
    "win_rds_process": {"name": ["notepad"], "state": "absent"},
    "win_rds_server": {"state": "rebooted"},
    "win_rds_wait": {"until": "no_user_sessions"},
    "win_rds_virtual_channel": {"session_id": 2, "name": "ECHO"},
}


def errors(module, **args):
    """The controller's messages for ``module`` (a name) with ``args`` added to its BASE arguments."""
    checked = validate_args(MODULES[module].module_args(), dict(BASE.get(module, {}), **args))
    return [error.msg for error in checked.errors.errors]


def options_of_type(kind):
    """(module, option) for every option of every module that is ``kind`` or a list of ``kind``."""
    found = []
    for name, module in sorted(MODULES.items()):
        for option, spec in module.module_args()["argument_spec"].items():
            if kind in (spec.get("type"), spec.get("elements") if spec.get("type") == "list" else None):
                found.append((name, option))
    return found


def test_every_integer_and_float_option_of_every_module_has_its_windows_range():
    assert options_of_type("int")
    assert {option for _module, option in options_of_type("int")} <= set(INTEGER_RANGES)
    assert {option for _module, option in options_of_type("float")} <= set(FLOAT_RANGES)


@pytest.mark.parametrize("module", FAN_OUT_MODULES)
@pytest.mark.parametrize("server", [[], [""], [None], ["  "], ["RDSH01", ""]])
def test_an_empty_server_list_or_name_is_refused_instead_of_meaning_this_host(module, server):
    messages = errors(module, server=server)

    assert len(messages) == 1
    if server == [None] and "unable to convert to str" in messages[0]:  # ansible-core 2.16-2.18 refuse it first
        assert "'server'" in messages[0]
    else:
        assert messages[0].startswith("server")
        assert "leave server out to work the task's own host" in messages[0]


@pytest.mark.parametrize("module", FAN_OUT_MODULES)
def test_an_omitted_server_still_means_this_host(module):
    assert errors(module) == []


@pytest.mark.parametrize("module, args", [
    ("win_rds_session", {"server": ["RDSH02\x00evil"]}),
    ("win_rds_virtual_channel", {"server": "RDSH02\x00evil"}),
    ("win_rds_server_info", {"server": "RDSH02\x00evil"}),
])
def test_a_nul_in_a_server_name_is_refused(module, args):
    assert errors(module, **args) == ["server 'RDSH02\\x00evil': a server name cannot contain a NUL character"]


@pytest.mark.parametrize("module, option", [  # options with choices: Ansible refuses anything else already
    (module, option) for module, option in options_of_type("str")
    if option != "server" and not MODULES[module].module_args()["argument_spec"][option].get("choices")])
def test_a_nul_in_any_text_option_is_refused(module, option):
    spec = MODULES[module].module_args()["argument_spec"][option]
    value = "ok\x00hidden"
    messages = errors(module, **{option: [value] if spec.get("type") == "list" else value})

    assert any(message.startswith("%s: a NUL character" % option) for message in messages), messages


@pytest.mark.parametrize("module, option", [
    ("win_rds_session", "username"), ("win_rds_process", "username"), ("win_rds_process", "name"),
    ("win_rds_wait", "username"), ("win_rds_session_info", "username"), ("win_rds_process_info", "name"),
])
@pytest.mark.parametrize("value", ["", " ", [""], ["alice", ""]])
def test_an_empty_name_in_a_selection_is_refused(module, option, value):
    assert errors(module, **{option: value}) == [
        "%s: an empty name selects nothing; give a name, or leave %s out" % (option, option)]


@pytest.mark.parametrize("module, option, value", [
    ("win_rds_message", "timeout", 4294967296),  # reached WTSSendMessageW as 0: wait for ever
    ("win_rds_message", "timeout", -1),
    ("win_rds_session", "session_id", [4294967298]),  # opened session 2
    ("win_rds_session", "session_id", [-1]),  # WTS_CURRENT_SESSION as a DWORD: the caller's own session
    ("win_rds_session", "session_id", [4294967295]),  # WTS_CURRENT_SESSION itself
    ("win_rds_virtual_channel", "session_id", 4294967298),
    ("win_rds_virtual_channel", "session_id", -1),
    ("win_rds_process", "pid", [2 ** 32 + 4]),
    ("win_rds_process", "pid", [-4]),
    ("win_rds_process", "session_id", [2 ** 32 + 2]),
    ("win_rds_process", "exit_code", 2 ** 32),
    ("win_rds_process", "exit_code", -1),
    ("win_rds_session", "timeout", 2 ** 40),
    ("win_rds_wait", "timeout", 2 ** 64),
    ("win_rds_session_info", "min_idle_seconds", -5),
    ("win_rds_session", "min_disconnected_seconds", 2 ** 33),
])
def test_integers_that_do_not_fit_their_windows_type_are_refused(module, option, value):
    messages = errors(module, **{option: value})

    assert len(messages) == 1
    assert messages[0].startswith("%s %d does not fit: give " % (option, value[0] if isinstance(value, list) else value))


@pytest.mark.parametrize("module, option, value", [
    ("win_rds_message", "timeout", 4294967295),
    ("win_rds_session", "session_id", [4294967294]),
    ("win_rds_session", "session_id", [65536]),  # a listener: refused later, by the guardrail, with its reason
    ("win_rds_process", "pid", [4294967295]),
    ("win_rds_process", "exit_code", 0),
    ("win_rds_session_info", "min_idle_seconds", 0),
])
def test_integers_at_the_edges_of_their_windows_type_pass(module, option, value):
    assert errors(module, **{option: value}) == []


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", float("inf"), float("nan"), "1e300", -0.5])
def test_a_channel_timeout_must_be_finite_and_fit_milliseconds_below_infinite(value):
    messages = errors("win_rds_virtual_channel", timeout=value)

    assert len(messages) == 1 and messages[0].startswith("timeout "), messages
    assert "does not fit: give seconds (milliseconds of a ULONG below INFINITE) from 0 to 4.29497e+06" in messages[0]


@pytest.mark.parametrize("value", [0, 0.25, 5, 4294967.294])
def test_a_channel_timeout_that_fits_passes(value):
    assert errors("win_rds_virtual_channel", timeout=value) == []


def test_an_empty_required_name_is_refused_without_suggesting_to_leave_it_out():
    assert errors("win_rds_virtual_channel", name=" ") == ["name: an empty name selects nothing; give a name"]
