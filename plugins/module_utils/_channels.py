# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# A talk over a virtual channel of a session on this host (win_rds_virtual_channel): open the channel, ask
# for the client's data, purge, write, read one reply, close. Windows is reached only through wts.py;
# nothing here knows ctypes.

import base64
import binascii
from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import VirtualChannel, is_local_server

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import ChannelResult


def channel_problem(server, timeout):
    """Why the task cannot run as given (a ``server`` other than this host, a negative ``timeout``), or None."""
    if not is_local_server(server):
        return ("server=%s: virtual channels can only be opened on the host the task runs on "
                "(WTSVirtualChannelOpenEx has no server parameter). Run this task on %s itself (as its inventory "
                "host, or with delegate_to) and leave server unset." % (server, server))
    if timeout < 0:
        return "timeout=%s: give the seconds to wait for a reply, 0 or more" % timeout
    return None


def data_to_write(data, data_base64):
    """The bytes to write: ``data`` as UTF-8 or ``data_base64`` decoded; None when there is nothing to write.
    Raises ValueError for base64 that does not decode."""
    if data is not None:
        return data.encode("utf-8")
    if data_base64 is not None:
        try:
            return base64.b64decode(data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("data_base64 is not valid base64")
    return None


def talk(session_id, name, dynamic, priority, data, query_client_data, purge_input, read, timeout,
         check_mode) -> ChannelResult:
    """Open channel ``name`` of session ``session_id``; ask for the client data if ``query_client_data``;
    unless ``check_mode``: purge the input if ``purge_input``, write ``data`` (bytes or None), and if ``read``,
    wait up to ``timeout`` seconds for one reply; close the channel again. The module's result.

    Raises WinApiError when Windows refuses, ValueError for a bad channel name.
    """
    result: ChannelResult = {"changed": bool(data), "session_id": session_id, "channel": name, "dynamic": dynamic,
                             "written_bytes": len(data or b""), "reply": None, "reply_base64": None}
    with VirtualChannel.open(session_id, name, dynamic, priority) as channel:
        if query_client_data:
            result["client_data_base64"] = _b64(channel.query_client_data())
        if check_mode:
            return result
        if purge_input:
            channel.purge_input()
        if data:
            result["written_bytes"] = channel.write(data)
        if read:
            reply = channel.read(int(timeout * 1000))
            if reply:
                result["reply_base64"] = _b64(reply)
                result["reply"] = _text(reply)
    return result


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def _text(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
