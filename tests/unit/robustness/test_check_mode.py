# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check-mode purity: for every module that changes something, check mode makes no mutating Windows call and
predicts the ``changed`` and the diff of the real run. Which modules change something is derived: those whose
representative task makes a mutating call (the emulator's ``mutating_calls``) when run for real."""

from __future__ import annotations

import pytest

import rds_emulator
from robustness_harness import REPRESENTATIVE_TASKS, TALLY, problems, run_module, sample_farm


def _makes_changes(name, args, change):
    emu = rds_emulator.install(sample_farm(change))
    try:
        run_module(name, args)
        assert problems(emu) == []
        return bool(emu.mutating_calls)
    finally:
        rds_emulator.uninstall()


# Tasks whose targets are already as asked, or gone: both runs must then say changed: false.
NOTHING_TO_DO = [
    ("win_rds_session", {"server": ["RDSH01"], "session_id": [3], "state": "disconnected"}, None),
    ("win_rds_session", {"username": ["nobody"], "state": "logged_off"}, None),
    ("win_rds_process", {"name": ["no-such-program"], "state": "absent"}, None),
    ("win_rds_message", {"username": ["nobody"], "msg": "Hallo"}, None),
    ("win_rds_virtual_channel", {"session_id": 2, "name": "ECHO"}, None),
]
CHANGING = [(name, args, change) for name, tasks in sorted(REPRESENTATIVE_TASKS.items())
            for args, change in tasks if _makes_changes(name, args, change)]


def test_the_changing_modules_are_found():
    assert {name for name, _args, _change in CHANGING} == {
        "win_rds_message", "win_rds_process", "win_rds_server", "win_rds_session", "win_rds_virtual_channel"}


@pytest.mark.parametrize("name, args, change", CHANGING + NOTHING_TO_DO,
                         ids=["%s-%d" % (task[0], index) for index, task in enumerate(CHANGING + NOTHING_TO_DO)])
def test_check_mode_changes_nothing_and_predicts_the_real_run(farm, name, args, change):
    predicting = farm(change)
    predicted = run_module(name, args, check_mode=True, diff=True)
    assert predicting.mutating_calls == []

    real = farm(change)
    done = run_module(name, args, diff=True)
    TALLY["check_mode"] += 1

    assert not predicted.get("failed") and not done.get("failed"), (predicted, done)
    assert predicted["changed"] == done["changed"]
    assert predicted.get("diff") == done.get("diff")
    assert bool(real.mutating_calls) == done["changed"]
