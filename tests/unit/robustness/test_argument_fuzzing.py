# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument fuzzing: random option sets for every module, through the real action plugin (the controller's
validation against module_args()), the payload and the runner, against the emulated farm. Whatever the input,
the task never ends in a traceback, and a refusal names the option it is about. Hypothesis is derandomized
and bounded, so CI sees the same examples every run."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rds_emulator
from robustness_harness import MODULES, REPRESENTATIVE_TASKS, TALLY, module, problems, run_task, sample_farm

# Values a playbook could hold: text with non-BMP characters, numbers around the ID limits, lists, mappings.
TEXT = st.text(st.sampled_from("aZ09 .*?\\@-_:éΩ😀𝔘\n"), max_size=12)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-70000, 70000), st.sampled_from([0, 1, 2, 3, 65536]),
                    st.floats(-1e6, 1e6, allow_nan=False), TEXT,
                    st.sampled_from(["RDSH01", "RDSH02", "RDSH03", "rdsh01.contoso.com", "ECHO", "alice",
                                     "CONTOSO\\bob", "disconnected", "logged_off", "yes", "all", "notepad"]))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(TEXT, SCALARS, max_size=2))
# Options that make a module wait are always given, with small values or non-numbers, so that a run stays short.
SHORT = st.one_of(st.integers(-2, 0), st.floats(-1, 0.05), st.sampled_from(["", "soon", "😀", None, True]))
BOUNDED = {"timeout": SHORT}


def _options(name):
    spec = module(name).module_args()["argument_spec"]
    names = sorted(spec) + sorted(alias for option in spec.values() for alias in option.get("aliases", ()))
    return spec, names


def _typed(option):
    """Values of the option's own type (and choices) most of the time, anything at all otherwise."""
    kind = option.get("type", "str")
    if "choices" in option:
        one = st.sampled_from(option["choices"])
    elif kind == "int" or option.get("elements") == "int":
        one = st.one_of(st.integers(-3, 70000), st.sampled_from([0, 1, 2, 3, 4, 65536, "3", " 5 "]))
    elif kind == "bool":
        one = st.sampled_from([True, False, "yes", "no", "on", "0"])
    elif kind == "float":
        one = st.floats(-1, 0.05)
    else:
        one = st.one_of(TEXT, SCALARS)
    typed = st.lists(one, max_size=3) if kind == "list" else one
    return st.one_of(typed, typed, typed, VALUES)


def _tasks(name):
    spec, names = _options(name)
    strategies = {option: BOUNDED[option] if option in BOUNDED else _typed(spec.get(option, {})) for option in names}
    fuzzed = st.lists(st.one_of(*[st.tuples(st.just(option), strategy) for option, strategy in strategies.items()],
                                st.tuples(st.sampled_from(["bogus", "sesion_id", "😀"]), VALUES)),
                      min_size=1, max_size=3).map(dict)
    bases = st.sampled_from([{}] + [args for args, _change in REPRESENTATIVE_TASKS[name]])
    short = st.fixed_dictionaries({option: BOUNDED[option] for option in BOUNDED if option in spec})
    return st.tuples(bases, fuzzed, short).map(lambda parts: {**parts[0], **parts[1], **parts[2]})


def _names_an_option(msg, names):
    return any(re.search(r"(?<![A-Za-z_])%s(?![A-Za-z_])" % re.escape(option), msg) for option in names)


@pytest.mark.parametrize("name", MODULES)
def test_any_arguments_end_in_a_message_never_a_traceback(name):
    _spec, names = _options(name)

    @settings(max_examples=50, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(args=_tasks(name), check_mode=st.booleans())
    def run(args, check_mode):
        emu = rds_emulator.install(sample_farm(_no_waiting))
        try:
            result, programs = run_task(name, args, check_mode=check_mode)
            TALLY["fuzzed"] += 1
            assert problems(emu) == []
        finally:
            rds_emulator.uninstall()
        if not result.get("failed"):
            return
        msg = result["msg"]
        assert msg and "Traceback" not in msg
        if not programs:  # refused by the controller's validation: it must say which option
            assert _names_an_option(msg, names + list(args)), msg
        else:  # refused by the module, or Windows said no (then the message says which call, code and fix)
            assert _names_an_option(msg, names) or re.search(r"\w+ failed.*: \[\d+\] ", msg), msg

    run()


def _no_waiting(state):
    for server in state["servers"].values():
        server["logoff_delay_seconds"] = 0
        for session in server["sessions"]:
            session["message_delay_seconds"] = 0
