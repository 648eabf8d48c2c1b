"""Virtual channels: local server only, static names of at most 7 characters, echo, read timeouts, chunks of at most
CHANNEL_CHUNK_LENGTH bytes with a CHANNEL_PDU_HEADER in front on dynamic channels, channels another program holds."""

from __future__ import annotations

import base64
import ctypes
import struct
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
    channel = win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"CTXCMD")
    buffer, read = ctypes.create_string_buffer(1600), c_uint32()
    start = time.monotonic()
    assert not win.wtsapi32.WTSVirtualChannelRead(channel, 300, buffer, 1600, byref(read))
    assert ctypes.get_last_error() == 996
    assert time.monotonic() - start >= 0.25  # it waited for the timeout (a lower bound only: no timed assert)
    win.wtsapi32.WTSVirtualChannelClose(channel)


def test_client_data_is_returned_in_a_buffer_freed_with_wts_free_memory(win):
    channel = win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"CTXCMD")
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


def read_all(win, channel, size=1608):
    """Every chunk waiting in ``channel``, as WTSVirtualChannelRead returns them one by one."""
    chunks, buffer, read = [], ctypes.create_string_buffer(size), c_uint32()
    while win.wtsapi32.WTSVirtualChannelRead(channel, 0, buffer, size, byref(read)):
        chunks.append(buffer.raw[: read.value])
    assert ctypes.get_last_error() == 996
    return chunks


def test_a_dynamic_channel_puts_a_channel_pdu_header_before_each_chunk(emulator, win):
    emulator.session("RDSH01", 2)["channels"]["Contoso::Diagnostics"]["inbox"] = [
        base64.b64encode(b"a" * 3500).decode(), base64.b64encode(b"ok").decode()]
    channel = win.wtsapi32.WTSVirtualChannelOpenEx(2, b"Contoso::Diagnostics", 1)

    chunks = read_all(win, channel)

    assert [struct.unpack("<II", chunk[:8]) for chunk in chunks] == [(3500, 1), (3500, 0), (3500, 2), (2, 3)]
    assert [chunk[8:] for chunk in chunks] == [b"a" * 1600, b"a" * 1600, b"a" * 300, b"ok"]
    win.wtsapi32.WTSVirtualChannelClose(channel)


def test_a_static_channel_gives_the_bare_data_in_chunks_of_at_most_1600_bytes(emulator, win):
    emulator.session("RDSH01", 2)["channels"]["ECHO"]["inbox"] = [base64.b64encode(b"b" * 2000).decode()]
    channel = win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"ECHO")

    assert read_all(win, channel) == [b"b" * 1600, b"b" * 400]
    win.wtsapi32.WTSVirtualChannelClose(channel)


def test_a_static_channel_whose_client_shows_the_protocol_gets_the_header_too(emulator, win):
    echo = emulator.session("RDSH01", 2)["channels"]["ECHO"]
    echo.update(show_protocol=True, inbox=[base64.b64encode(b"hi").decode()])
    channel = win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"ECHO")

    assert read_all(win, channel) == [struct.pack("<II", 2, 3) + b"hi"]
    win.wtsapi32.WTSVirtualChannelClose(channel)


def test_a_buffer_too_small_for_the_header_and_chunk_consumes_nothing(emulator, win):
    emulator.session("RDSH01", 2)["channels"]["Contoso::Diagnostics"]["inbox"] = [base64.b64encode(b"c" * 1600).decode()]
    channel = win.wtsapi32.WTSVirtualChannelOpenEx(2, b"Contoso::Diagnostics", 1)
    buffer, read = ctypes.create_string_buffer(1600), c_uint32()

    assert not win.wtsapi32.WTSVirtualChannelRead(channel, 0, buffer, 1600, byref(read))
    assert ctypes.get_last_error() == 122
    assert [len(chunk) for chunk in read_all(win, channel)] == [1608]
    win.wtsapi32.WTSVirtualChannelClose(channel)


def test_purging_forgets_a_partly_read_write(emulator, win):
    emulator.session("RDSH01", 2)["channels"]["ECHO"]["inbox"] = [base64.b64encode(b"d" * 2000).decode()]
    channel = win.wtsapi32.WTSVirtualChannelOpen(None, 2, b"ECHO")
    buffer, read = ctypes.create_string_buffer(1600), c_uint32()
    assert win.wtsapi32.WTSVirtualChannelRead(channel, 0, buffer, 1600, byref(read)) and read.value == 1600

    assert win.wtsapi32.WTSVirtualChannelPurgeInput(channel)
    written = c_uint32()
    win.wtsapi32.WTSVirtualChannelWrite(channel, b"new", 3, byref(written))

    assert read_all(win, channel) == [b"new"]
    win.wtsapi32.WTSVirtualChannelClose(channel)


def test_opening_a_static_channel_another_program_holds_is_reported(emulator, win):
    channel = win.wtsapi32.WTSVirtualChannelOpenEx(2, b"cliprdr", 0)
    assert channel
    win.wtsapi32.WTSVirtualChannelClose(channel)

    assert emulator.clear_problems() == [
        "opened static channel CLIPRDR of session 2, which rdpclip.exe already holds: Windows documents a "
        "10-second delay and a disrupted channel for this"]
