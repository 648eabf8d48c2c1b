# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """How an inventory plugin of this collection reaches its Windows host with WinRM (pywinrm)."""

    DOCUMENTATION = r"""
options:
  port:
    description:
      - TCP port of the WinRM listener.
      - Defaults to V(5986) for O(scheme=https) and V(5985) for O(scheme=http).
    type: int
    env:
      - name: WTSADMIN_RDS_WINRM_PORT
    ini:
      - section: wtsadmin_rds_inventory
        key: winrm_port
  scheme:
    description:
      - V(https) (WinRM over TLS, port 5986) or V(http) (port 5985).
      - Over V(http), the V(ntlm), V(kerberos) and V(credssp) transports still encrypt the WinRM
        messages; V(basic) does not, and Windows refuses it unless C(AllowUnencrypted) is set.
    type: str
    choices: [https, http]
    default: https
    env:
      - name: WTSADMIN_RDS_WINRM_SCHEME
    ini:
      - section: wtsadmin_rds_inventory
        key: winrm_scheme
  transport:
    description:
      - The WinRM authentication.
      - V(kerberos) needs C(pykerberos) or C(requests-kerberos), and V(credssp) needs C(requests-credssp),
        on the controller (or in the execution environment).
      - V(certificate) authenticates with O(client_cert) and O(client_cert_key) over V(https).
    type: str
    choices: [ntlm, kerberos, credssp, basic, certificate]
    default: ntlm
    env:
      - name: WTSADMIN_RDS_WINRM_TRANSPORT
    ini:
      - section: wtsadmin_rds_inventory
        key: winrm_transport
  username:
    description:
      - The account that connects, as C(DOMAIN\user), C(user@domain.example) or a local C(user).
      - Not needed for O(transport=certificate), nor for O(transport=kerberos) with a ticket cache.
    type: str
    env:
      - name: WTSADMIN_RDS_USERNAME
  password:
    description:
      - The password of O(username).
      - It is used only to connect. It is never cached, logged, shown in errors or put in host
        variables.
      - Prefer the environment variable (for example from an AWX credential) or an Ansible Vault
        encrypted value over plain text in the configuration file.
    type: str
    env:
      - name: WTSADMIN_RDS_PASSWORD
  client_cert:
    description:
      - Path of the client certificate (PEM) for O(transport=certificate).
    type: path
    env:
      - name: WTSADMIN_RDS_CLIENT_CERT
  client_cert_key:
    description:
      - Path of the private key (PEM, not encrypted) of O(client_cert).
    type: path
    env:
      - name: WTSADMIN_RDS_CLIENT_CERT_KEY
  validate_certs:
    description:
      - Whether the TLS certificate of the WinRM listener is validated (O(scheme=https)).
      - Turn it off only for a test lab; use O(ca_path) for a private certificate authority instead.
    type: bool
    default: true
    env:
      - name: WTSADMIN_RDS_VALIDATE_CERTS
    ini:
      - section: wtsadmin_rds_inventory
        key: validate_certs
  ca_path:
    description:
      - A PEM file (or a directory prepared with C(c_rehash)) of the certificate authorities to trust
        for the WinRM listener's certificate.
      - Without it, the CA bundle of Python C(requests) (C(certifi)) is used, or C(REQUESTS_CA_BUNDLE).
    type: path
    env:
      - name: WTSADMIN_RDS_CA_PATH
    ini:
      - section: wtsadmin_rds_inventory
        key: ca_path
  read_timeout:
    description:
      - Seconds to wait for the WinRM listener to answer one HTTP request, the TCP connection included.
      - Must be greater than O(operation_timeout).
    type: int
    default: 30
    env:
      - name: WTSADMIN_RDS_READ_TIMEOUT
    ini:
      - section: wtsadmin_rds_inventory
        key: read_timeout
  operation_timeout:
    description:
      - Seconds the WinRM service may hold one request before it answers (a long command is polled again,
        so this does not limit the command's run time).
    type: int
    default: 20
    env:
      - name: WTSADMIN_RDS_OPERATION_TIMEOUT
    ini:
      - section: wtsadmin_rds_inventory
        key: operation_timeout
  python_interpreter:
    description:
      - Path of the Python 3.9 or later interpreter on the Windows host, for example
        C(C:\Program Files\Python312\python.exe).
      - When not set, the host's C(py -3) launcher is tried, then C(python.exe) on the C(PATH).
      - The P(wtsadmin.rds.python_runtime#role) role installs a Python.
    type: str
    env:
      - name: WTSADMIN_RDS_PYTHON_INTERPRETER
    ini:
      - section: wtsadmin_rds_inventory
        key: python_interpreter
"""
