"""The demo contest's voter roll: synthetic voters, so the demo can run to the result.

Called once by ``hustings.web.demo.load_demo``. The roll is made up (the real 2010 rolls
were never published) and says so in every name: 24 "Demo voter" entries in the three
sections of the 2010 college, some in two sections (one ballot in each), most with a postal
address only, so the returning officer's "Issue codes" download (the letters CSV) holds the
codes to vote with; two have an email address, whose messages the console mail backend
prints. It is imported but not frozen: the officer freezes it (page "Run the ballot").
"""

from __future__ import annotations

import csv
import io

from hustings.web.voting import roll
from hustings.web.voting.models import Voter

SECTIONS = ["MP", "MP", "MEP", "Member", "Member", "Member", "Member;TU", "TU"]


def demo_roll_csv(n: int = 24) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["reference", "name", "email", "postal_address", "sections"])
    for i in range(1, n + 1):
        email = f"demo.voter{i:03d}@example.org" if i <= 2 else ""
        w.writerow([f"DEMO{i:03d}", f"Demo voter {i:03d} (synthetic)", email,
                    f"{i} Example Street, Demo Town", SECTIONS[i % len(SECTIONS)]])
    return out.getvalue()


def add_demo_roll(contest) -> int:  # noqa: ANN001
    """Import the synthetic roll once (a second call changes nothing)."""
    if Voter.objects.filter(contest=contest).exists():
        return 0
    return roll.import_roll(contest, demo_roll_csv(), source="demo roll")
