"""Emulated RD Session Host states of a given size, for the benchmarks (tests/emulator/README.md: schema)."""

from __future__ import annotations

import rds_emulator

NOW = "2026-03-14T09:00:00Z"


def user_sessions(count: int, first_id: int = 2, **fields) -> list[dict]:
    """``count`` active sessions of different users, each with an IPv4 client, answering messages "yes"."""
    return [rds_emulator.make_session(
        session_id, station="RDP-Tcp#%d" % session_id, state="active", user="user%04d" % session_id,
        domain="CONTOSO", client_name="PC-%04d" % session_id,
        client_address="10.%d.%d.%d" % (session_id >> 16 & 255, session_id >> 8 & 255, session_id & 255),
        client_build=22621, logon_time="2026-03-14T07:00:00Z", connect_time="2026-03-14T07:00:00Z",
        last_input_time="2026-03-14T08:59:00Z", locked=False, message_response="yes", **fields)
        for session_id in range(first_id, first_id + count)]


def host_with_sessions(count: int, **session_fields) -> dict:
    """The local server RDSH01 with session 0, the listener and ``count`` user sessions."""
    state = rds_emulator.empty_state(sessions=user_sessions(count, **session_fields))
    state["now"] = NOW
    return state


def farm(servers: int, sessions_per_server: int) -> tuple[dict, list[str]]:
    """The local server plus ``servers`` reachable session hosts RDSF001..., each with its user sessions;
    returns the state and the names of those hosts."""
    state = host_with_sessions(0)
    names = ["RDSF%03d" % number for number in range(1, servers + 1)]
    for name in names:
        state["servers"][name] = rds_emulator.make_server(sessions=user_sessions(sessions_per_server))
    return state, names


def browser_list(entries: int) -> dict:
    """The local server and a Computer Browser list of ``entries`` session hosts in domain CONTOSO."""
    state = host_with_sessions(0)
    state["browser"]["entries"] = [
        rds_emulator.make_browser_entry("RDSH%05d" % number, comment="Session host %d" % number)
        for number in range(1, entries + 1)]
    return state
