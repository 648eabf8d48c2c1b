# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_rds_virtual_channel
short_description: Send data to a Remote Desktop client over a virtual channel, and read its reply
version_added: 0.1.0
description:
  - Opens a virtual channel of one session of the host (C(WTSVirtualChannelOpenEx)), writes text or binary
    data to the client's end of it, optionally reads one reply within a timeout, and always closes the
    channel again, also when something failed.
  - A static channel is one the client registered at connection time, named with at most 7 ASCII characters
    (a vendor's own, such as C(CTXCMD)); a dynamic channel (O(dynamic=true)) is opened by its endpoint name
    (C(Contoso::Diagnostics), or another vendor's own).
  - The static channels Remote Desktop Services itself holds open in every session (C(CLIPRDR), C(RDPDR),
    C(RDPSND), C(DRDYNVC), C(RAIL)) are refused unless O(force=true), because Microsoft documents that
    opening a channel again "can cause a 10-second delay and disrupt the established channel".
  - The Remote Desktop Services API opens virtual channels only on the machine the caller runs on, so this
    module works on the host the task runs on; O(server) naming another host fails with a message saying
    so. Run the task on that host instead (its inventory name, or C(delegate_to)).
extends_documentation_fragment:
  - wtsadmin.rds.attributes
options:
  server:
    description:
      - Only the host the task runs on is possible. Leave unset, or give V(localhost), V(.) or this host's
        own computer name; any other name fails the task.
    type: str
  session_id:
    description:
      - The session whose client to talk to (see M(wtsadmin.rds.win_rds_session_info)).
    type: int
    required: true
  name:
    description:
      - The channel's name. For a static channel at most 7 ASCII characters, compared without regard to
        case as Windows does; for a dynamic channel its endpoint name (ASCII, exact).
    type: str
    required: true
  dynamic:
    description:
      - Open a dynamic virtual channel (C(WTS_CHANNEL_OPTION_DYNAMIC)) instead of a static one.
    type: bool
    default: false
  priority:
    description:
      - The send priority of a dynamic channel; ignored for static ones.
    type: str
    choices: [low, medium, high, real]
    default: low
  data:
    description:
      - Text to write to the channel, sent as UTF-8.
      - Mutually exclusive with O(data_base64).
    type: str
  data_base64:
    description:
      - Binary data to write to the channel, given as base64.
      - Mutually exclusive with O(data).
    type: str
  purge_input:
    description:
      - Discard whatever the client sent earlier and nobody read, before writing, so that the reply read is
        the answer to this write (C(WTSVirtualChannelPurgeInput)).
    type: bool
    default: false
  read:
    description:
      - After writing, read one reply from the client (C(WTSVirtualChannelRead)), waiting at most O(timeout).
      - When nothing arrives in time, RV(reply_base64) is null; the task does not fail.
    type: bool
    default: false
  timeout:
    description:
      - How long O(read) waits for the reply, in seconds.
    type: float
    default: 5
  query_client_data:
    description:
      - Also return the data the client's channel module announced for the channel
        (C(WTSVirtualChannelQuery) with C(WTSVirtualClientData)), in RV(client_data_base64).
    type: bool
    default: false
  max_reply_bytes:
    description:
      - The longest reply O(read) accepts from a dynamic channel, in bytes. A longer one fails the task with a
        message naming this option; nothing of it is returned.
    type: int
    default: 1048576
  force:
    description:
      - Open a static channel Remote Desktop Services itself holds open in the session (C(CLIPRDR) clipboard,
        C(RDPDR) device redirection, C(RDPSND) audio, C(DRDYNVC) dynamic channels, C(RAIL) RemoteApp; compared
        without regard to case) although opening it again can delay the session by 10 seconds and disrupt the
        channel for the user. Without it, such a name fails the task before anything is opened.
    type: bool
    default: false
attributes:
  check_mode:
    details:
      - Nothing is opened, queried, purged, written or read. The result is predicted from the arguments alone,
        so check mode cannot tell whether the session exists or its client offers the channel; the arguments
        themselves (name, O(force), O(timeout)) are checked as in a real run.
notes:
  - The connecting account needs the C(Virtual Channels) permission of Remote Desktop Services on the
    C(RDP-Tcp) listener (local Administrators have it).
  - A task writing data reports C(changed); one that only reads or queries does not.
  - On a dynamic channel, O(read) returns the client's whole write (Windows hands it over in chunks, each behind
    a C(CHANNEL_PDU_HEADER) that the module removes), up to O(max_reply_bytes); a write begun but not ended
    within O(timeout) fails the task.
  - On a static channel, O(read) returns one chunk as Windows gives it, at most 1600 bytes; the rest of a
    longer write of the client is not read. A client module that sets C(CHANNEL_OPTION_SHOW_PROTOCOL) gets an 8-byte
    C(CHANNEL_PDU_HEADER) in front of each chunk, which the server cannot detect, so it stays in the reply.
seealso:
  - module: wtsadmin.rds.win_rds_session_info
  - name: WTSVirtualChannelOpenEx function (wtsapi32.h)
    description: Microsoft's reference of the Windows API this module calls.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtsvirtualchannelopenex
  - name: WTSVirtualChannelRead function (wtsapi32.h)
    description: How replies arrive in chunks, and when a CHANNEL_PDU_HEADER precedes them.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtsvirtualchannelread
"""

EXAMPLES = r"""
- name: Ask the diagnostics add-in of alice's client for its status
  wtsadmin.rds.win_rds_virtual_channel:
    session_id: 2
    name: Contoso::Diagnostics
    dynamic: true
    data: status
    purge_input: true
    read: true
    timeout: 10
  register: diagnostics

- name: Show the answer
  ansible.builtin.debug:
    msg: "{{ diagnostics.reply }}"

- name: Send a binary command to a vendor's static channel
  wtsadmin.rds.win_rds_virtual_channel:
    session_id: 2
    name: CTXCMD
    data_base64: AQIDBA==

- name: Read what the vendor's client module announced for its channel
  wtsadmin.rds.win_rds_virtual_channel:
    session_id: 2
    name: CTXCMD
    query_client_data: true
  register: announced
"""

RETURN = r"""
session_id:
  description: The session, O(session_id).
  returned: success
  type: int
  sample: 2
channel:
  description: The channel's name, O(name).
  returned: success
  type: str
  sample: CTXCMD
dynamic:
  description: Whether the channel is a dynamic one, O(dynamic).
  returned: success
  type: bool
  sample: true
written_bytes:
  description: The number of bytes written (in check mode, that would be); 0 without data.
  returned: success
  type: int
  sample: 6
reply:
  description:
    - The reply as text, when O(read) got one that is valid UTF-8; null otherwise (see RV(reply_base64)).
    - From a dynamic channel the client's whole write, from a static channel one chunk (see the notes).
  returned: success
  type: str
  sample: ok 3 printers
reply_base64:
  description: The reply's bytes in base64, when O(read) got one; null without O(read), in check mode, or when
    nothing arrived within O(timeout).
  returned: success
  type: str
  sample: b2sgMyBwcmludGVycw==
client_data_base64:
  description: The client data of the channel, in base64 (empty when the client announced none); null in check
    mode, which opens nothing.
  returned: when O(query_client_data) is true
  type: str
  sample: AQID
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._channels import channel_problem, data_to_write, talk
from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import CHANNEL_PRIORITIES


def module_args():
    return {
        "argument_spec": {
            "server": {"type": "str"},
            "session_id": {"type": "int", "required": True},
            "name": {"type": "str", "required": True},
            "dynamic": {"type": "bool", "default": False},
            "priority": {"type": "str", "choices": list(CHANNEL_PRIORITIES), "default": "low"},
            "data": {"type": "str"},
            "data_base64": {"type": "str"},
            "purge_input": {"type": "bool", "default": False},
            "read": {"type": "bool", "default": False},
            "timeout": {"type": "float", "default": 5},
            "query_client_data": {"type": "bool", "default": False},
            "max_reply_bytes": {"type": "int", "default": 1048576},
            "force": {"type": "bool", "default": False},
        },
        "mutually_exclusive": [["data", "data_base64"]],
        "supports_check_mode": True,
    }


def main():
    module = AnsibleModule(**module_args())
    p = module.params
    problem = channel_problem(p["server"], p["name"], p["dynamic"], p["force"], p["timeout"])
    if problem:
        module.fail_json(msg=problem)
    try:
        result = talk(p, data_to_write(p["data"], p["data_base64"]), module.check_mode)
    except ValueError as error:
        module.fail_json(msg=str(error))
    except WinApiError as error:
        module.fail_json(msg=explain(error, "channel %s of session %d" % (p["name"], p["session_id"])))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
