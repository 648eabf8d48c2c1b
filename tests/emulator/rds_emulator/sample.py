"""Builders for emulator states, and the sample farm most tests start from."""

from __future__ import annotations

import copy

from . import state as st

DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330"
RDSH01_SID = "S-1-5-21-3623811015-3361044348-30300820"
SAMPLE_NOW = "2026-03-14T09:00:00Z"

WELL_KNOWN_ACCOUNTS = {
    "S-1-5-18": "NT AUTHORITY\\SYSTEM",
    "S-1-5-19": "NT AUTHORITY\\LOCAL SERVICE",
    "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE",
    "S-1-5-32-544": "BUILTIN\\Administrators",
}


def make_session(session_id: int, **fields) -> dict:
    """A session with every schema field; keywords override the defaults (see README "Session")."""
    session = copy.deepcopy(st.SESSION_DEFAULTS)
    session["id"] = session_id
    session.update(fields)
    return session


def services_session() -> dict:
    return make_session(0, station="Services", state="disconnected", protocol="console")


def listener_session(session_id: int = st.LISTENER_ID, station: str = "RDP-Tcp") -> dict:
    return make_session(session_id, station=station, state="listen")


def make_process(pid: int, name: str, **fields) -> dict:
    process = copy.deepcopy(st.PROCESS_DEFAULTS)
    process.update(pid=pid, name=name, **fields)
    return process


def make_server(sessions=(), processes=(), **fields) -> dict:
    """A server entry. It always has session 0 ("Services") and the RDP-Tcp listener (65536) unless
    sessions with those ids are given."""
    given = {session["id"] for session in sessions}
    base = [s for s in (services_session(), listener_session()) if s["id"] not in given]
    server = copy.deepcopy(st.SERVER_DEFAULTS)
    server.update(fields)
    server["sessions"] = sorted(base + [copy.deepcopy(s) for s in sessions], key=lambda s: s["id"])
    server["processes"] = [copy.deepcopy(p) for p in processes]
    return server


def make_event(delay_seconds: float, flags, **change) -> dict:
    """A scripted WTSWaitSystemEvent event; change is remove=True/set={...} with session_id, or add_session."""
    return {"delay_seconds": delay_seconds, "flags": flags, "change": change or None}


def make_browser_entry(name: str, **fields) -> dict:
    entry = {"name": name, "domain": "CONTOSO", "type": 0x02009103, "platform_id": 500, "version_major": 10,
             "version_minor": 0, "comment": ""}
    entry.update(fields)
    return entry


def empty_state(local_server: str = "RDSH01", **server_fields) -> dict:
    """A host with one server (only session 0 and the listener), the well-known accounts and a browser
    list holding that server."""
    return st.normalize({
        "local_server": local_server,
        "servers": {local_server: make_server(**server_fields)},
        "accounts": dict(WELL_KNOWN_ACCOUNTS),
        "browser": {"entries": [make_browser_entry(local_server)]},
    })


def _at(hhmmss: str) -> str:
    return "2026-03-14T%sZ" % hhmmss


def _user_session(session_id, user, client_name, address, logon, last_input, **fields) -> dict:
    values = dict(station="RDP-Tcp#%d" % (session_id + 1), state="active", user=user, domain="CONTOSO",
                  client_name=client_name, client_address=address, client_build=22621,
                  client_directory="C:\\Windows\\System32\\mstscax.dll", client_product_id=1,
                  client_display={"width": 1920, "height": 1080, "color_depth": 32}, protocol="rdp",
                  encryption_level=2, logon_time=_at(logon), connect_time=_at(logon), last_input_time=_at(last_input),
                  locked=False, incoming_bytes=4_200_000, outgoing_bytes=91_000_000, incoming_frames=52_000,
                  outgoing_frames=61_000, incoming_compressed_bytes=1_900_000, outgoing_compressed_bytes=40_000_000)
    values.update(fields)
    return make_session(session_id, **values)


def _session_processes(session_id: int, first_pid: int, sid) -> list:
    """csrss and winlogon (critical, SYSTEM) plus explorer for a session's user."""
    processes = [
        make_process(first_pid, "csrss.exe", session=session_id, sid="S-1-5-18", parent_pid=first_pid - 4,
                     critical=True, threads=12, handles=600, access_denied=True),
        make_process(first_pid + 8, "winlogon.exe", session=session_id, sid="S-1-5-18", parent_pid=first_pid - 4,
                     critical=True, threads=5, handles=280),
    ]
    if sid:
        processes.append(make_process(first_pid + 16, "explorer.exe", session=session_id, sid=sid,
                                      parent_pid=first_pid + 8, threads=60, handles=2400, working_set=98_000_000,
                                      peak_working_set=120_000_000, user_time=52_000, kernel_time=31_000))
    return processes


def sample_state() -> dict:
    """RDSH01 (local, Windows Server 2022, clock 90 s ahead), RDSH02 (2008 R2), RDSH03 (unreachable)."""
    alice, bob, carol, zoe = ("%s-%d" % (DOMAIN_SID, rid) for rid in (1104, 1105, 1106, 1107))
    agent = "%s-1110" % DOMAIN_SID
    admin = "%s-500" % RDSH01_SID
    rdsh01_sessions = [
        make_session(1, station="Console", state="active", user="Administrator", domain="RDSH01", protocol="console",
                     logon_time=_at("06:30:00"), connect_time=_at("06:30:00"), last_input_time=_at("07:10:00"),
                     locked=True, client_display={"width": 1024, "height": 768, "color_depth": 32}),
        _user_session(2, "alice", "LAPTOP-ALICE", "10.20.30.41", "07:55:00", "08:59:30", channels={
            "ECHO": {"mode": "echo"},
            "CTXCMD": {"mode": "sink", "client_data": "AQID"},
            "CLIPRDR": {"mode": "sink", "held_by": "rdpclip.exe"},
            "Contoso::Diagnostics": {"mode": "echo", "dynamic": True},
        }, message_response="yes", message_delay_seconds=0.2),
        _user_session(3, "bob", "PC-BOB", "10.20.30.42", "07:30:00", "08:14:00", station="", state="disconnected",
                      disconnect_time=_at("08:15:00"), locked=None),
        _user_session(4, "carol", "MAC-CAROL", "2001:db8:0:1::4", "06:50:00", "07:00:00", client_build=10245,
                      client_display={"width": 2560, "height": 1600, "color_depth": 24}, message_response=None),
        _user_session(5, "Zoë😀", "TABLET-ZOË", "10.20.30.45", "08:40:00", "08:58:00", farm="CONTOSO-FARM",
                      virtual_ip="10.99.0.5", message_response="ok", message_delay_seconds=0.5),
        make_session(6, station="", state="disconnected", protocol="rdp", connect_time=_at("08:20:00"),
                     disconnect_time=_at("08:21:00")),
        make_session(7, station="RDP-Tcp#12", state="connected", client_name="KIOSK-7", client_address="10.20.30.77",
                     client_build=19041, connect_time=_at("08:59:00")),
    ]
    rdsh01_processes = [
        make_process(4, "System", sid="S-1-5-18", critical=True, threads=180, handles=4800, access_denied=True),
        make_process(108, "Registry", sid="S-1-5-18", parent_pid=4, threads=4),
        make_process(388, "smss.exe", sid="S-1-5-18", parent_pid=4, critical=True, threads=2, handles=57),
        make_process(512, "csrss.exe", sid="S-1-5-18", parent_pid=500, critical=True, threads=11, handles=700,
                     access_denied=True),
        make_process(596, "wininit.exe", sid="S-1-5-18", parent_pid=500, critical=True, threads=1, handles=160),
        make_process(700, "services.exe", sid="S-1-5-18", parent_pid=596, critical=True, threads=8, handles=900),
        make_process(716, "lsass.exe", sid="S-1-5-18", parent_pid=596, critical=True, threads=9, handles=1500),
        make_process(880, "svchost.exe", sid="S-1-5-18", parent_pid=700, threads=20, handles=1200),
        make_process(1020, "svchost.exe", sid="S-1-5-20", parent_pid=700, threads=14, handles=560),
        make_process(1400, "MsMpEng.exe", sid=None, parent_pid=700, threads=40, handles=900),
        make_process(4100, "wsmprovhost.exe", sid=agent, parent_pid=1020, threads=9, handles=400),
        make_process(4200, "powershell.exe", sid=agent, parent_pid=4100, threads=12, handles=600),
        make_process(4242, "python.exe", sid=agent, parent_pid=4200, threads=3, handles=120, user_time=450,
                     kernel_time=120),
        make_process(3410, "WINWORD.EXE", session=2, sid=alice, parent_pid=2216, threads=30, handles=1300,
                     working_set=210_000_000, peak_working_set=260_000_000),
        make_process(3520, "chrome.exe", session=3, sid=bob, parent_pid=2316, threads=25, handles=700),
        make_process(3630, "notepad.exe", session=4, sid=carol, parent_pid=2416, threads=2, handles=90),
    ]
    sids = {1: admin, 2: alice, 3: bob, 4: carol, 5: zoe, 6: None, 7: None}
    for session_id, sid in sids.items():
        rdsh01_processes += _session_processes(session_id, 2000 + 100 * session_id, sid)

    rdsh02_sessions = [
        _user_session(1, "dave", "PC-DAVE", "10.20.31.11", "08:00:00", "08:30:00", locked=True),
        _user_session(2, "erin", "PC-ERIN", "10.20.31.12", "07:45:00", "08:05:00", station="", state="disconnected",
                      disconnect_time=_at("08:06:00"), locked=None),
    ]
    rdsh02_processes = [
        make_process(4, "System", sid="S-1-5-18", critical=True, access_denied=True),
        make_process(480, "lsass.exe", sid="S-1-5-18", parent_pid=404, critical=True),
        make_process(2210, "explorer.exe", session=1, sid="%s-1108" % DOMAIN_SID, parent_pid=2200),
    ]
    accounts = dict(WELL_KNOWN_ACCOUNTS)
    accounts.update({
        admin: "RDSH01\\Administrator", alice: "CONTOSO\\alice", bob: "CONTOSO\\bob", carol: "CONTOSO\\carol",
        zoe: "CONTOSO\\Zoë😀", agent: "CONTOSO\\svc-ansible", "%s-1108" % DOMAIN_SID: "CONTOSO\\dave",
        "%s-1109" % DOMAIN_SID: "CONTOSO\\erin",
    })
    return st.normalize({
        "local_server": "RDSH01",
        "current_process_id": 4242,
        "now": SAMPLE_NOW,
        "servers": {
            "RDSH01": make_server(rdsh01_sessions, rdsh01_processes, aliases=["rdsh01.contoso.com", "10.20.0.11"],
                                  dns_domain="contoso.com", clock_offset_seconds=90, console_session_id=1),
            "RDSH02": make_server(rdsh02_sessions, rdsh02_processes, aliases=["rdsh02.contoso.com"],
                                  os_version="6.1", clock_offset_seconds=-30, console_session_id=None),
            "RDSH03": make_server(aliases=["rdsh03.contoso.com"], reachable=False),
        },
        "accounts": accounts,
        "browser": {"primary_domain": "CONTOSO", "entries": [
            make_browser_entry("RDSH01", comment="Session host 1"),
            make_browser_entry("RDSH02", version_major=6, version_minor=1, comment="Session host 2 (2008 R2)"),
            make_browser_entry("RDSH03", comment="Session host 3"),
            make_browser_entry("FILESRV01", type=0x00009103, comment="File server"),
            make_browser_entry("WS-0042", type=0x00001103, comment=""),
            make_browser_entry("RDSH-LAB", domain="LAB", comment="Lab session host"),
        ]},
    })
