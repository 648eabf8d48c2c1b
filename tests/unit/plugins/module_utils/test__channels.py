# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_channels.read_reply: how the chunks of a dynamic channel (each behind its CHANNEL_PDU_HEADER) become one
reply, for chunk sequences the emulated client does not produce by itself (a write cut short, a tail without its
start, a broken header)."""

from __future__ import annotations

import struct

import pytest

from ansible_collections.wtsadmin.rds.plugins.module_utils import _channels

FIRST, LAST = 0x01, 0x02


class Chunks:
    """A channel whose read() hands out the given chunks, then b"" (nothing within the timeout)."""

    def __init__(self, *chunks):
        self.chunks = list(chunks)
        self.timeouts = []

    def read(self, timeout_ms):
        self.timeouts.append(timeout_ms)
        return self.chunks.pop(0) if self.chunks else b""


def chunk(total, flags, data):
    return struct.pack("<II", total, flags) + data


def test_the_chunks_of_one_write_are_joined_without_their_headers():
    channel = Chunks(chunk(7, FIRST, b"abc"), chunk(7, 0, b"de"), chunk(7, LAST, b"fg"), chunk(1, FIRST | LAST, b"x"))

    assert _channels.read_reply(channel, "D", True, 1.0, 100) == b"abcdefg"
    assert len(channel.chunks) == 1  # the next write stays for the next reader


def test_a_tail_whose_start_was_read_before_is_skipped():
    channel = Chunks(chunk(9, LAST, b"old"), chunk(2, FIRST | LAST, b"ok"))

    assert _channels.read_reply(channel, "D", True, 1.0, 100) == b"ok"


def test_nothing_within_the_timeout_is_no_reply():
    assert _channels.read_reply(Chunks(), "D", True, 0.25, 100) == b""
    assert _channels.read_reply(Chunks(), "S", False, 0.25, 100) == b""


def test_a_write_whose_last_chunk_does_not_come_in_time_fails_naming_the_timeout():
    channel = Chunks(chunk(9, FIRST, b"abc"))

    with pytest.raises(ValueError) as raised:
        _channels.read_reply(channel, "D", True, 0.0, 100)
    assert str(raised.value) == ("the reply on channel D was cut short: 3 bytes came within timeout=0.0, but not the "
                                 "chunk that ends the client's write (CHANNEL_FLAG_LAST); give the client more time "
                                 "with a longer timeout")


def test_a_reply_growing_past_the_limit_fails_even_when_its_header_claims_less():
    channel = Chunks(chunk(4, FIRST, b"abcd"), chunk(4, LAST, b"efgh"))

    with pytest.raises(ValueError) as raised:
        _channels.read_reply(channel, "D", True, 1.0, 6)
    assert "max_reply_bytes=6" in str(raised.value)


def test_a_chunk_too_short_for_its_header_is_refused():
    with pytest.raises(ValueError) as raised:
        _channels.read_reply(Chunks(b"\x01\x00"), "D", True, 1.0, 100)
    assert str(raised.value) == ("channel D gave a chunk of 2 bytes, too short for its 8-byte CHANNEL_PDU_HEADER")


def test_a_static_channel_gives_its_chunk_as_read():
    data = chunk(3, FIRST | LAST, b"abc")

    assert _channels.read_reply(Chunks(data), "S", False, 1.0, 100) == data


def test_the_timeout_is_shared_by_all_chunks_of_a_reply():
    channel = Chunks(chunk(2, FIRST, b"a"), chunk(2, LAST, b"b"))

    _channels.read_reply(channel, "D", True, 2.0, 100)

    pairs = zip(channel.timeouts, channel.timeouts[1:])
    assert channel.timeouts[0] <= 2000 and all(later <= earlier for earlier, later in pairs)
