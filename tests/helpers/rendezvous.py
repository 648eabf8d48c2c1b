# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proof that work runs at the same time, with no clock in the assertion: each piece of work calls
``arrive()``, which holds it until ``parties`` pieces are inside at once. Work that runs concurrently all meets
there; work that runs one piece after another never does, and the first piece gives up after ``guard`` seconds
(a hang guard, not a measurement; the later ones then pass straight through).

Import it as ``rendezvous`` (``tests/helpers`` is on pytest's ``pythonpath``)::

    from rendezvous import Rendezvous

    meeting = Rendezvous(6)
    for_each_server(servers, lambda server: meeting.arrive() or {})
    meeting.assert_all_met()
"""

from __future__ import annotations

import threading


class Rendezvous:
    def __init__(self, parties: int, guard: float = 60.0) -> None:
        self.parties, self.guard = parties, guard
        self.arrivals = 0  # how many pieces arrived in all
        self.most_at_once = 0  # how many were ever inside together
        self.gave_up = False
        self._inside = 0
        self._changed = threading.Condition()

    def arrive(self) -> None:
        with self._changed:
            self.arrivals += 1
            self._inside += 1
            self.most_at_once = max(self.most_at_once, self._inside)
            self._changed.notify_all()
            if not self.gave_up and not self._changed.wait_for(lambda: self.most_at_once >= self.parties, self.guard):
                self.gave_up = True
            self._inside -= 1

    def assert_all_met(self) -> None:
        assert self.most_at_once >= self.parties, (
            "only %d of the %d pieces of work were ever in flight at once (%d arrived; the first waited %g s for the "
            "others): they ran one after another" % (self.most_at_once, self.parties, self.arrivals, self.guard))
