# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sessions and processes as an aligned text table, aligned in terminal columns."""

from __future__ import annotations

import pytest

from ansible_collections.wtsadmin.rds.plugins.plugin_utils._table import display_width, render


@pytest.mark.parametrize("text, width", [
    ("alice", 5),
    ("Zoë", 3),                      # precomposed e with diaeresis
    ("Zoe\u0308", 3),                # e + COMBINING DIAERESIS
    ("山田", 4),                      # East Asian wide
    ("ＡＢ", 4),                      # fullwidth
    ("Zoë\U0001F600", 5),            # emoji (East Asian wide)
    ("\u2764\ufe0f", 2),             # heart + VARIATION SELECTOR-16: shown as a wide emoji
    ("a\u200db", 2),                 # ZERO WIDTH JOINER
    ("", 0),
])
def test_display_width_counts_terminal_columns(text, width):
    assert display_width(text) == width


def _columns_of(line, text):
    """Where ``text`` starts in ``line``, in terminal columns."""
    return display_width(line[:line.index(text)])


def test_sessions_line_up_whatever_their_characters():
    sessions = [
        {"server": None, "session_id": 1, "user": "RDSH01\\Administrator", "client_name": None, "state": "active",
         "idle_seconds": 6660},
        {"server": None, "session_id": 5, "user": "CONTOSO\\Zoë\U0001F600", "client_name": "TABLET-ZOË",
         "state": "active", "idle_seconds": 180},
        {"server": None, "session_id": 12, "user": "CONTOSO\\山田", "client_name": "PC-\u2764\ufe0f",
         "state": "disconnected", "idle_seconds": None},
    ]

    lines = render(sessions).split("\n")

    assert lines[0].split() == ["ID", "USER", "CLIENT", "STATE", "IDLE"]
    assert len(lines) == 4
    assert {_columns_of(line, state) for line, state in zip(lines, ["STATE", "active", "active", "disconnected"])} \
        == {_columns_of(lines[0], "STATE")}
    assert {display_width(line) for line in lines[:3]} == {display_width(lines[3])}  # IDLE is right-aligned
    assert lines[1].split()[-1] == "1:51" and lines[3].split()[-1] == "-"
    assert lines[1].split()[2] == "-"  # no client
    assert [line.split()[0] for line in lines[1:]] == ["1", "5", "12"]
    assert lines[1].startswith(" 1") and lines[3].startswith("12")  # numbers to the right


def test_processes_get_their_own_columns_and_a_server_column_when_named():
    processes = [{"server": "RDSH01", "pid": 4, "name": "System", "session_id": 0, "user": "NT AUTHORITY\\SYSTEM"},
                 {"server": "RDSH02", "pid": 3630, "name": "notepad.exe", "session_id": 4, "user": "CONTOSO\\carol"}]

    lines = render(processes).split("\n")

    assert lines[0].split() == ["SERVER", "PID", "NAME", "SESSION", "USER"]
    assert lines[2].split() == ["RDSH02", "3630", "notepad.exe", "4", "CONTOSO\\carol"]


def test_chosen_columns_and_control_characters_made_visible():
    table = render([{"user": "bob", "client_name": "PC\tBOB\n"}], columns=["client_name", "user"])

    assert table.split("\n") == ["CLIENT_NAME    USER", "PC\\x09BOB\\x0a  bob"]


def test_no_items_is_the_heading_alone():
    assert render([]) == "ID  USER  CLIENT  STATE  IDLE"
