"""Virtual channels: local server only, static names of at most 7 characters, echo, read timeouts."""

from __future__ import annotations

import base64
import ctypes
import time
from ctypes import byref, c_uint32, c_void_p


def test_echo_channel_replies_with_what_was_written(emulator, win):
    channel = win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"echo")
    written = c_uint32()
    assert win.wtsapi32.WTSVirtualChannelWrite(channel, b"ping", 4, byref(written)) and written.value == 4
    buffer, read = ctypes.create_string_buffer(1600), c_uint32()
    assert win.wtsapi32.WTSVirtualChannelRead(channel, 1000, buffer, 1600, byref(read))
    assert buffer.raw[: read.value] == b"ping"
    assert win.wtsapi32.WTSVirtualChannelClose(channel)
    assert emulator.session("RDSH01", 2)["channels"]["ECHO"]["written"] == [base64.b64encode(b"ping").decode()]


def test_read_with_nothing_to_read_times_out_with_io_incomplete(win):
    channel = win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"CLIPRDR")
    buffer, read = ctypes.create_string_buffer(1600), c_uint32()
    start = time.monotonic()
    assert not win.wtsapi32.WTSVirtualChannelRead(channel, 300, buffer, 1600, byref(read))
    assert ctypes.get_last_error() == 996
    assert 0.25 <= time.monotonic() - start < 1.5
    win.wtsapi32.WTSVirtualChannelClose(channel)


def test_client_data_is_returned_in_a_buffer_freed_with_wts_free_memory(win):
    channel = win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"CLIPRDR")
    buffer, size = c_void_p(), c_uint32()
    assert win.wtsapi32.WTSVirtualChannelQuery(channel, 0, byref(buffer), byref(size))
    assert ctypes.string_at(buffer.value, size.value) == b"\x01\x02\x03"
    win.wtsapi32.WTSFreeMemory(buffer)
    win.wtsapi32.WTSVirtualChannelClose(channel)


def test_static_names_longer_than_seven_characters_are_invalid(win):
    assert win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"TOOLONGNAME") is None
    assert ctypes.get_last_error() == 87


def test_channels_open_only_on_the_current_server(win):
    handle = win.open_server("RDSH01")
    assert win.wtsapi32.WTSVirtualChannelOpen(handle, 2, b"ECHO") is None
    assert ctypes.get_last_error() == 87
    win.wtsapi32.WTSCloseServer(handle)


def test_channel_the_client_does_not_offer_is_not_found(win):
    assert win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"RDPSND") is None
    assert ctypes.get_last_error() == 1168


def test_dynamic_channel_needs_the_dynamic_option(win):
    assert win.wtsapi32.WTSVirtualChannelOpenEx(2, b"Contoso::Diagnostics", 0) is None
    channel = win.wtsapi32.WTSVirtualChannelOpenEx(2, b"Contoso::Diagnostics", 1)
    assert channel
    assert win.wtsapi32.WTSVirtualChannelClose(channel)


def test_unclosed_channel_is_a_leak(emulator, win):
    win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"ECHO")
    assert any("channel handle" in p for p in emulator.clear_problems())
