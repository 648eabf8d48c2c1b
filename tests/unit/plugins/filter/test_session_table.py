# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wtsadmin.rds.session_table filter (playbooks use it in the demo and the integration targets)."""

from __future__ import annotations

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.wtsadmin.rds.plugins.filter.session_table import DOCUMENTATION, FilterModule

session_table = FilterModule().filters()["session_table"]


def test_it_renders_the_sessions_of_a_result():
    sessions = [{"server": None, "session_id": 2, "user": "CONTOSO\\alice", "client_name": "LAPTOP-ALICE",
                 "state": "active", "idle_seconds": 120}]

    assert session_table(sessions).split("\n") == ["ID  USER           CLIENT        STATE   IDLE",
                                                   " 2  CONTOSO\\alice  LAPTOP-ALICE  active  0:02"]


def test_the_columns_argument_is_passed_on():
    assert session_table([{"user": "bob"}], columns=["user"]) == "USER\nbob"


@pytest.mark.parametrize("items, columns", [("RDSH01", None), ({"user": "bob"}, None), ([{"user": "bob"}], "user")])
def test_wrong_input_is_a_clear_error(items, columns):
    with pytest.raises(AnsibleFilterError, match="session_table"):
        session_table(items, columns=columns)


def test_the_documentation_names_the_filter_and_its_options():
    doc = yaml.safe_load(DOCUMENTATION)

    assert doc["name"] == "session_table"
    assert set(doc["options"]) == {"_input", "columns"}
