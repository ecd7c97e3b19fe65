"""The election: one ballot event holding one or more contests.

Labour's 2015 contest put a leader and a deputy on one ballot, and London voters chose
the mayoral candidate with the same code. So the roll, the security codes and the voter's
visit belong to the *election*; each contest keeps its own candidates, rule book,
sections, ballot box, ledger, count and result (``Contest.election``).

A contest is open to every voter on its election's roll, or only to those the roll marks
with its ``eligibility`` (e.g. ``london``; ``Voter.marks``). A contest made on its own gets
an election of its own, of the same slug and title (``Contest.save``), so a one-contest
election is the ordinary case and needs no setting up.
"""

from __future__ import annotations

from django.db import models


class Election(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "contests"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def ordered_contests(self) -> models.QuerySet:
        """Its contests in ballot order: leader before deputy before a regional contest,
        as the 2015 ballot listed them (by ``ballot_order``, then when made)."""
        return self.contests.order_by("ballot_order", "created_at", "id")
