"""What a count means: how close it was, what other rules would have done, and what a
ballot was worth. Pure (stdlib, NumPy and SciPy's HiGHS MILP): no Django, files or clock.

* ``margin`` (``margin``, ``college_margins``): the fewest ballots whose change lets
  another candidate win; exact by branch-and-bound up to 6 candidates, else a named upper
  bound (``distance`` holds the ILP, ``preferences`` reads ballots into lists).
* ``compare``: the same ballots under other rules, side by side, each through
  ``hustings.counting.count``.
* ``worth``: per section, the weight of one ballot in the college.

Errors: ``AnalysisError`` and ``UnsupportedRulesError`` (``errors.py``); counting errors
(``hustings.counting.CountingError``) pass through unchanged.
"""

from hustings.analysis.errors import AnalysisError, UnsupportedRulesError

__all__ = ["AnalysisError", "UnsupportedRulesError"]
