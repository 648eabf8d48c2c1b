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
    (C(CLIPRDR), C(RDPDR), or a vendor's own); a dynamic channel (O(dynamic=true)) is opened by its endpoint
    name (C(Microsoft::Windows::RDS::Geometry::v08.01), or a vendor's own).
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
attributes:
  check_mode:
    details:
      - The channel is opened (which checks the session and that its client offers the channel), queried when
        asked, and closed; nothing is purged, written or read.
notes:
  - The connecting account needs the C(Virtual Channels) permission of Remote Desktop Services on the
    C(RDP-Tcp) listener (local Administrators have it).
  - A task writing data reports C(changed); one that only reads or queries does not.
  - O(read) returns one chunk as the client sent it; a static channel's chunks hold at most 1600 bytes.
seealso:
  - module: wtsadmin.rds.win_rds_session_info
  - name: WTSVirtualChannelOpenEx function (wtsapi32.h)
    description: Microsoft's reference of the Windows API this module calls.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtsvirtualchannelopenex
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

- name: Read what a client announced for its clipboard channel
  wtsadmin.rds.win_rds_virtual_channel:
    session_id: 2
    name: CLIPRDR
    query_client_data: true
  register: clipboard
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
  sample: CLIPRDR
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
  description: The client data of the channel, in base64 (empty when the client announced none).
  returned: when O(query_client_data) is true
  type: str
  sample: AQID
"""

import base64
import binascii

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import VirtualChannel, is_local_server


def module_args():
    return {
        "argument_spec": {
            "server": {"type": "str"},
            "session_id": {"type": "int", "required": True},
            "name": {"type": "str", "required": True},
            "dynamic": {"type": "bool", "default": False},
            "priority": {"type": "str", "choices": ["low", "medium", "high", "real"], "default": "low"},
            "data": {"type": "str"},
            "data_base64": {"type": "str"},
            "purge_input": {"type": "bool", "default": False},
            "read": {"type": "bool", "default": False},
            "timeout": {"type": "float", "default": 5},
            "query_client_data": {"type": "bool", "default": False},
        },
        "mutually_exclusive": [["data", "data_base64"]],
        "supports_check_mode": True,
    }


def payload(params):
    """The bytes to write: ``data`` as UTF-8 or ``data_base64`` decoded; None when there is nothing to write.
    Raises ValueError for base64 that does not decode."""
    if params["data"] is not None:
        return params["data"].encode("utf-8")
    if params["data_base64"] is not None:
        try:
            return base64.b64decode(params["data_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("data_base64 is not valid base64")
    return None


def talk(params, check_mode):
    """Open the channel, (unless ``check_mode``) purge, write and read as ``params`` say, and close it again;
    the module's result. Raises WinApiError when Windows refuses, ValueError for a bad channel name."""
    data = payload(params)
    result = {"changed": bool(data), "session_id": params["session_id"], "channel": params["name"],
              "dynamic": params["dynamic"], "written_bytes": len(data or b""), "reply": None, "reply_base64": None}
    with VirtualChannel.open(params["session_id"], params["name"], params["dynamic"], params["priority"]) as channel:
        if params["query_client_data"]:
            result["client_data_base64"] = _b64(channel.query_client_data())
        if check_mode:
            return result
        if params["purge_input"]:
            channel.purge_input()
        if data:
            result["written_bytes"] = channel.write(data)
        if params["read"]:
            reply = channel.read(int(params["timeout"] * 1000))
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


def main():
    module = AnsibleModule(**module_args())
    params = module.params
    if not is_local_server(params["server"]):
        module.fail_json(msg=(
            "server=%s: virtual channels can only be opened on the host the task runs on "
            "(WTSVirtualChannelOpenEx has no server parameter). Run this task on %s itself (as its inventory "
            "host, or with delegate_to) and leave server unset." % (params["server"], params["server"])))
    if params["timeout"] < 0:
        module.fail_json(msg="timeout=%s: give the seconds to wait for a reply, 0 or more" % params["timeout"])
    try:
        result = talk(params, module.check_mode)
    except ValueError as error:
        module.fail_json(msg=str(error))
    except WinApiError as error:
        module.fail_json(msg=explain(error, "channel %s of session %d" % (params["name"], params["session_id"])))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
