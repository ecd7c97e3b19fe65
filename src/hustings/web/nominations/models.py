"""Nominating bodies and their nominations.

Rule Book Chapter 4, Clause II.2.B: Commons members of the PLP (and, from 2018, MEPs)
nominate; CLPs, affiliated unions and socialist societies make supporting nominations.
Each body nominates at most one candidate per contest; a database constraint holds that
even when two requests race (``one_live_nomination_per_body``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from hustings.rulebook import BodyType
from hustings.web.contests.models import Candidate, Contest

BODY_TYPE_CHOICES = [
    ("MP", "MP"),
    ("MEP", "MEP"),
    ("CLP", "Constituency Labour Party"),
    ("TU", "Affiliated trade union"),
    ("SS", "Socialist society"),
]
assert [c for c, _ in BODY_TYPE_CHOICES] == [b.value for b in BodyType]


class NominatingBody(models.Model):
    """One member of the roll of nominators for one contest (the PLP, the CLPs... as they
    stand when the contest opens)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField(max_length=3, choices=BODY_TYPE_CHOICES)
    name = models.CharField(max_length=200)
    affiliated_membership = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Unions and socialist societies: members affiliated to the party.",
    )
    placeholder = models.BooleanField(
        default=False, help_text="The name stands in for an unpublished one (demonstration data)."
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="nominating_bodies",
        help_text="Users who may make this body's nomination (the MP, the union's officer...).",
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "nominating bodies"
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "kind", "name"], name="body_name_per_contest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def body_type(self) -> BodyType:
        return BodyType(self.kind)


class Nomination(models.Model):
    body = models.ForeignKey(NominatingBody, on_delete=models.CASCADE, related_name="nominations")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="nominations")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["made_at", "id"]
        constraints = [
            # A body is on one contest's roll, so "one per body" is "one per body per
            # contest". Withdrawn nominations stay as history and do not count.
            models.UniqueConstraint(
                fields=["body"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_live_nomination_per_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} nominates {self.candidate}"

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None
