"""The demo's voter rolls: synthetic voters, so the demo can run to the result.

Called once by ``hustings.web.demo.load_demo``. The roll is made up (the real 2010 rolls
were never published) and says so in every name: 24 "Demo voter" entries in the three
sections of the 2010 college, some in two sections (one ballot in each), most with a postal
address only, so the returning officer's "Issue codes" download (the letters CSV) holds the
codes to vote with; two have an email address, whose messages the console mail backend
prints. It is imported but not frozen: the officer freezes it (page "Run the ballot").

The 2015-style election's roll (``demo_roll_2015_csv``) is one roll for its three
contests: "Demo 2015 voter" entries in the three supporter groups of the 2015 rules, every
third marked ``london`` (so they vote for the mayoral candidate too, with the same code),
all with a postal address only, so their codes are in the letters download.

The demo's returning officer is the sole trustee of each ballot box (1 of 1): the 2010
contest's share is written to ``share_path()`` (``HUSTINGS_DEMO_SHARE_FILE``, by default
``var/demo-trustee-share.txt``), each other demo contest's beside it with the contest's
slug in its name (``share_path(contest)``), and the demo's "Close and count" reads it from
there to open the box. A real contest never keeps a share on the server (see
docs/threat-model.md).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from django.conf import settings

from hustings.formats import csv_cells
from hustings.web.voting import roll, trustees
from hustings.web.voting.models import Voter

SECTIONS = ["MP", "MP", "MEP", "Member", "Member", "Member", "Member;TU", "TU"]


def demo_roll_csv(n: int = 24) -> str:
    out = io.StringIO()
    w = csv_cells.writer(out, lineterminator="\n")
    w.writerow(["reference", "name", "email", "postal_address", "sections"])
    for i in range(1, n + 1):
        email = f"demo.voter{i:03d}@example.org" if i <= 2 else ""
        w.writerow([f"DEMO{i:03d}", f"Demo voter {i:03d} (synthetic)", email,
                    f"{i} Example Street, Demo Town", SECTIONS[i % len(SECTIONS)]])
    return out.getvalue()


SECTIONS_2015 = ["Member", "Member", "Registered supporter", "Member", "Affiliated supporter"]


def demo_roll_2015_csv(n: int = 30) -> str:
    """The 2015-style election's synthetic roll: every third voter marked ``london``."""
    out = io.StringIO()
    w = csv_cells.writer(out, lineterminator="\n")
    w.writerow(["reference", "name", "email", "postal_address", "sections", "marks"])
    for i in range(1, n + 1):
        w.writerow([f"DEMO15-{i:03d}", f"Demo 2015 voter {i:03d} (synthetic)", "",
                    f"{i} Example Road, Demo City", SECTIONS_2015[i % len(SECTIONS_2015)],
                    "london" if i % 3 == 1 else ""])
    return out.getvalue()


def add_demo_roll(contest, text: str | None = None) -> int:
    """Import a synthetic roll (by default the 2010 one) into the contest's election once
    (a second call changes nothing)."""
    if Voter.objects.filter(election_id=contest.election_id).exists():
        return 0
    return roll.import_roll(contest, text or demo_roll_csv(), source="demo roll")


DEMO_TRUSTEE = "(the demo's returning officer)"  # how the demo's sole trustee is named


def share_path(contest=None) -> Path:
    """Where the demo's trustee share is written (and, in the demo, read back): the 2010
    contest's (no ``contest``), or another demo contest's, named after its slug beside it."""
    configured = getattr(settings, "HUSTINGS_DEMO_SHARE_FILE", "")
    base = Path(configured) if configured else Path(settings.DATA_DIR) / "demo-trustee-share.txt"
    if contest is None:
        return base
    return base.with_name(f"{base.stem}-{contest.slug}{base.suffix}")


def name_demo_trustee(contest, officer: str, *, own_file: bool = False) -> Path:
    """The demo's officer (``officer``, a username) as the sole trustee; the share written
    (owner-only) to ``share_path()``, or with ``own_file`` to ``share_path(contest)``.
    Called once, when the demo contest is made."""
    (share,) = trustees.name_trustees(contest, [f"{officer} {DEMO_TRUSTEE}"], 1)
    path = share_path(contest if own_file else None)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(share.text)
    return path


def demo_share(contest) -> Path | None:
    """The demo's share file, for the demo contest in the demo only
    (``HUSTINGS_DEMO_SHARE_FILE``), else None: no share is ever read from disk otherwise."""
    from django.apps import apps

    configured = getattr(settings, "HUSTINGS_DEMO_SHARE_FILE", "")
    # the demo contest is the one whose trustee is the demo's officer (name_demo_trustee)
    if not configured or not Path(configured).is_file():
        return None
    Trustee = apps.get_model("voting", "Trustee")
    if not Trustee.objects.filter(contest=contest, holder__endswith=DEMO_TRUSTEE).exists():
        return None
    own = share_path(contest)  # a demo contest other than 2010's has a file of its own
    return own if own.is_file() else Path(configured)
