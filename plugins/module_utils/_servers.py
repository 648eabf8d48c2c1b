# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The RD Session Hosts the Computer Browser knows (win_rds_server_info, NetServerEnum). Windows is reached only
# through netapi.py; nothing here knows ctypes.

from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils.netapi import server_enum

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import NetServer

# What win_rds_server_info returns of a server.
RETURNED_KEYS = ("name", "platform", "version", "types", "comment")
PARTIAL_LIST_WARNING = (
    "NetServerEnum returned only part of the server list (ERROR_MORE_DATA): the servers listed are correct, "
    "but others are missing. Narrow server_types or domain to get a complete list.")


def list_servers(domain, server_types) -> tuple[list[NetServer], bool]:
    """The servers of ``server_types`` that NetServerEnum lists for ``domain``, as ``(servers, more_data)``,
    from the browser of the host the code runs on.

    Each server is a dict with the keys of RETURNED_KEYS. Raises WinApiError when NetServerEnum fails.
    """
    servers, more_data = server_enum(domain, list(server_types))
    return [{key: entry[key] for key in RETURNED_KEYS} for entry in servers], more_data
