# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a module's main() as it runs on the host. A test file names its module in ``MODULE``; its tests take
the ``validate`` and ``run_main`` fixtures."""

from __future__ import annotations

import pytest

from ansible_collections.wtsadmin.rds.plugins.module_utils import _runner
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import validate_args
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import task_message


@pytest.fixture
def validate(request):
    """``validate(args)``: the task's arguments checked as the action plugin checks them on the controller,
    against the module's own module_args(); Ansible's ValidationResult."""
    module = request.module.MODULE
    return lambda args: validate_args(module.module_args(), args)


@pytest.fixture
def run_main(request, monkeypatch, validate):
    """``run_main(args, check_mode=False, diff=False)``: the module's main() as it runs on the host, with ``args``
    validated as on the controller (they must be valid) and the runner's AnsibleModule; the module's result."""
    module = request.module.MODULE

    def run(args, check_mode=False, diff=False):
        checked = validate(args)
        assert not checked.errors.errors, checked.errors.errors
        task = task_message(checked.validated_parameters, check_mode=check_mode, diff=diff)
        monkeypatch.setattr(module, "AnsibleModule", type("AnsibleModule", (_runner.AnsibleModule,), {"_task": task}))
        with pytest.raises(_runner.ModuleExit) as done:
            module.main()
        return done.value.result

    return run
