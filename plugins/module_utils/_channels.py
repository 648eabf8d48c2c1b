# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# A talk over a virtual channel of a session on this host (win_rds_virtual_channel): open the channel, ask
# for the client's data, purge, write, read one reply, close. Windows is reached only through wts.py;
# nothing here knows ctypes.

import base64
import binascii
import struct
import time
from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import (
    CHANNEL_FLAG_FIRST,
    CHANNEL_FLAG_LAST,
    CHANNEL_PDU_HEADER_LENGTH,
    SYSTEM_CHANNELS,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import VirtualChannel, channel_name_and_flags, is_local_server

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import ChannelResult


def channel_problem(server, name, dynamic, force, timeout):
    """Why the task cannot run as given (a ``server`` other than this host, a static channel Remote Desktop
    Services itself uses without ``force``, a negative ``timeout``), or None."""
    if not is_local_server(server):
        return ("server=%s: virtual channels can only be opened on the host the task runs on "
                "(WTSVirtualChannelOpenEx has no server parameter). Run this task on %s itself (as its inventory "
                "host, or with delegate_to) and leave server unset." % (server, server))
    # WTSVirtualChannelOpen, Remarks: "If you try to use this function to open the same virtual channel multiple
    # times, it can cause a 10-second delay and disrupt the established channel." (WTSVirtualChannelOpenEx: with
    # flags zero "it behaves the same as WTSVirtualChannelOpen".) Static names compare without regard to case.
    system = None if dynamic or not name else SYSTEM_CHANNELS.get(name.upper())
    if system and not force:
        return ("name=%s: this static channel carries %s for Remote Desktop Services itself, which holds it open; "
                "opening it again \"can cause a 10-second delay and disrupt the established channel\" "
                "(WTSVirtualChannelOpen). Set force=true if you mean to." % (name, system))
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


def talk(params, data, check_mode) -> ChannelResult:
    """With the module's ``params``: open channel ``name`` of session ``session_id``; ask for the client data if
    ``query_client_data``; purge the input if ``purge_input``, write ``data`` (bytes or None), and if ``read``,
    wait up to ``timeout`` seconds for one reply; close the channel again. The module's result.

    Check mode opens nothing and predicts from the arguments alone: opening a channel is itself felt by the
    session (see channel_problem), and what the client offers cannot be known without it.

    Raises WinApiError when Windows refuses, ValueError for a bad channel name or reply.
    """
    session_id, name, dynamic = params["session_id"], params["name"], params["dynamic"]
    result: ChannelResult = {"changed": bool(data), "session_id": session_id, "channel": name, "dynamic": dynamic,
                             "written_bytes": len(data or b""), "reply": None, "reply_base64": None}
    if params["query_client_data"]:
        result["client_data_base64"] = None
    if check_mode:
        channel_name_and_flags(name, dynamic, params["priority"])
        return result
    with VirtualChannel.open(session_id, name, dynamic, params["priority"]) as channel:
        if params["query_client_data"]:
            result["client_data_base64"] = _b64(channel.query_client_data())
        if params["purge_input"]:
            channel.purge_input()
        if data:
            result["written_bytes"] = channel.write(data)
        if params["read"]:
            reply = read_reply(channel, name, dynamic, params["timeout"], params["max_reply_bytes"])
            if reply:
                result["reply_base64"] = _b64(reply)
                result["reply"] = _text(reply)
    return result


def read_reply(channel, name, dynamic, timeout, max_bytes):
    """The client's next write on ``channel``, waiting up to ``timeout`` seconds in all; b"" when none began.

    A static channel gives one chunk, as Windows returns it. WTSVirtualChannelRead, Buffer: "In certain cases,
    Remote Desktop Services places a CHANNEL_PDU_HEADER structure at the beginning of each chunk ... if the client
    DLL sets the CHANNEL_OPTION_SHOW_PROTOCOL option ... This will also occur if the channel is a dynamic virtual
    channel written to by using the IWTSVirtualChannel::Write method. Otherwise, the buffer receives only the data
    written": whether a static channel's client shows the protocol cannot be seen from here, so its chunk is
    returned unchanged; a dynamic channel's chunks are joined behind their headers.
    """
    deadline = time.monotonic() + timeout
    if not dynamic:
        return channel.read(_milliseconds_left(deadline))
    reply = None
    while True:
        chunk = channel.read(_milliseconds_left(deadline))
        if not chunk:
            if reply is None:
                return b""
            raise ValueError("the reply on channel %s was cut short: %d bytes came within timeout=%s, but not the "
                             "chunk that ends the client's write (CHANNEL_FLAG_LAST); give the client more time with a "
                             "longer timeout" % (name, len(reply), timeout))
        if len(chunk) < CHANNEL_PDU_HEADER_LENGTH:
            raise ValueError("channel %s gave a chunk of %d bytes, too short for its %d-byte CHANNEL_PDU_HEADER"
                             % (name, len(chunk), CHANNEL_PDU_HEADER_LENGTH))
        # CHANNEL_PDU_HEADER: "length: Size, in bytes, of the data block, excluding this header"; flags:
        # CHANNEL_FLAG_FIRST "The chunk is the beginning of the data written by a single write operation",
        # CHANNEL_FLAG_LAST "The chunk is the end of the data written by a single write operation" (bitwise).
        length, flags = struct.unpack_from("<II", chunk)
        if flags & CHANNEL_FLAG_FIRST:
            reply = bytearray()
        elif reply is None:
            continue  # the rest of a write whose start was read or purged before: not this reply
        reply += chunk[CHANNEL_PDU_HEADER_LENGTH:]
        # The SDK leaves open whether "the data block" is the whole write or this chunk: the bytes received
        # are counted as well, so that neither reading lets a reply grow past the limit.
        if max(length, len(reply)) > max_bytes:
            raise ValueError("the reply on channel %s is %s bytes long, more than max_reply_bytes=%d: raise "
                             "max_reply_bytes to read it"
                             % (name, length if length > max_bytes else "at least %d" % len(reply), max_bytes))
        if flags & CHANNEL_FLAG_LAST:
            return bytes(reply)


def _milliseconds_left(deadline):
    return max(0, int((deadline - time.monotonic()) * 1000))


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def _text(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
