"""Ballot files in and count reports out: the edge between files and ``hustings.counting``.

Readers (one module each) return a :class:`~hustings.formats.ballot_file.BallotFile`: the
``hustings.counting.Ballots`` plus what the file told us (candidate names, section labels):

* ``formats.csv`` — one ballot per row, ``pref1..prefN`` / ``rank1..rankN`` columns (pyarrow);
* ``formats.blt`` — the Hill/OpenSTV ``.blt`` format (read and write);
* ``formats.preflib`` — PrefLib ``.soi``, ``.toi``, ``.soc``.

Writers: ``formats.report_csv`` (round tables), ``formats.ballot_csv`` (one section's
ballots as CSV, and ``RANK_COLUMN``, the one pattern for a rank column's name),
``formats.blt``, ``formats.report_table`` (a Rich newspaper table); JSON is
``formats.report_json`` (RCTab's detailed report). Every CSV writer goes through
``formats.csv_cells.writer``, which neutralises formula injection (OWASP "CSV Injection");
the CSV reader undoes it, so names round-trip.

Limits (``formats.ballot_file``): at most ``MAX_RANKS`` (1000) ranks and weights up to
``MAX_WEIGHT`` (15 digits), checked where a file states them, before anything is allocated.

Errors: ``formats.errors`` (``FormatError`` and its subclasses), each naming file and line.
A reader raises nothing else on any input (``tests/fuzz`` feeds each 2,000 mutated files).
"""
