"""The mail rate limit is per worker process (docs/deploying.md, "Mail"): every batch sent
by one process shares one allowance, and another process (another pid, as a fork has)
starts with its own, so N workers send up to N times ``HUSTINGS_MAIL_RATE``."""

from __future__ import annotations

import os

from hustings.web.voting import mailing


def test_one_allowance_per_process_and_a_fresh_one_in_another(settings):
    settings.HUSTINGS_MAIL_RATE = "2/hour"  # nothing in this test waits for it to pass
    limiter, item = mailing.process_limiter()
    assert mailing.process_limiter()[0] is limiter  # every batch in this process shares it
    assert [limiter.hit(item, "mail") for _ in range(3)] == [True, True, False]
    other, other_item = mailing._limiter("2/hour", os.getpid() + 1)  # another worker process
    assert other is not limiter and other.hit(other_item, "mail")
    settings.HUSTINGS_MAIL_RATE = "3/hour"  # a changed setting is a limiter of its own
    fresh, fresh_item = mailing.process_limiter()
    assert fresh is not limiter and fresh_item.amount == 3
