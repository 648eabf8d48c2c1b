# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The demo (playbooks/demo.yml as scripts/demo.sh runs it): its session table is aligned for every user of the
sample farm, the one with an emoji and an accented letter in her name included."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import rds_emulator

from ansible_collections.wtsadmin.rds.plugins.plugin_utils._table import display_width

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_table_is_aligned_for_every_user(tmp_path):
    state = tmp_path / "emulator-state.json"
    state.write_text(json.dumps(rds_emulator.sample_state()))
    report = tmp_path / "sessions.txt"
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "playbooks" / "ansible.cfg"), RDS_EMULATOR_STATE=str(state),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    env.setdefault("RDS_EMULATOR_PYTHON", str(ROOT / ".build" / "emulated-host" / "bin" / "python"))

    run = subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), "-i", "inventory.yml", "demo.yml",
                          "-e", "rds_demo_report=%s" % report], cwd=ROOT / "playbooks", env=env,
                         capture_output=True, text=True, timeout=600, check=False)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    lines = report.read_text(encoding="utf-8").splitlines()
    users = [s for s in rds_emulator.sample_state()["servers"]["RDSH01"]["sessions"] if 0 < s["id"] < 65536]
    assert len(lines) == 1 + len(users)
    assert any("Zoë😀" in line for line in lines)
    header = _cells(lines[0])
    assert [text for text, _start, _end in header] == ["ID", "USER", "CLIENT", "STATE", "IDLE"]
    for line in lines[1:]:
        cells = _cells(line)
        assert len(cells) == 5, line
        assert [start for _text, start, _end in cells[1:4]] == [start for _text, start, _end in header[1:4]], line
        assert (cells[0][2], cells[4][2]) == (header[0][2], header[4][2]), line  # numbers end where headings do


def _cells(line):
    """The cells of a table line (separated by two spaces or more) with their first and past-the-end display
    columns."""
    return [(match.group(), display_width(line[:match.start()]), display_width(line[:match.end()]))
            for match in re.finditer(r"\S+(?: \S+)*", line)]
