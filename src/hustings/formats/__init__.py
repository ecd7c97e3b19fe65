"""Ballot files in and count reports out: the edge between files and ``hustings.counting``.

Readers (one module each) return a :class:`~hustings.formats.ballot_file.BallotFile`: the
``hustings.counting.Ballots`` plus what the file told us (candidate names, section labels):

* ``formats.csv`` — one ballot per row, ``pref1..prefN`` / ``rank1..rankN`` columns (pyarrow);
* ``formats.blt`` — the Hill/OpenSTV ``.blt`` format (read and write);
* ``formats.preflib`` — PrefLib ``.soi``, ``.toi``, ``.soc``.

Writers: ``formats.report_csv`` (round tables), ``formats.blt``, ``formats.report_table`` (a
Rich newspaper table); JSON is ``formats.report_json`` (RCTab's detailed report).

Errors: ``formats.errors`` (``FormatError`` and its subclasses), each naming file and line.
"""
