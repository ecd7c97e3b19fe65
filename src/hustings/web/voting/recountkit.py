"""The recount kit: every published file of a count in one zip, with a README, so that one
command checks all of it as printed: ``hustings verify all <slug>-recount-kit.zip``.

Why one zip rather than only separate downloads: a browser saves each download on its own
and may rename one that clashes with an earlier file (``result (1).json``), so a printed
command over several files breaks in ordinary use; a single archive keeps the names the
commands use. The separate files are still offered, saved under exactly those names.
No Django here: the page and the tests build the same bytes.
"""

from __future__ import annotations

import io
import zipfile

# A fixed timestamp: the same files make the same zip bytes.
EPOCH = (1980, 1, 1, 0, 0, 0)
README = "README.txt"


def kit_name(slug: str) -> str:
    return f"{slug}-recount-kit.zip"


def commands(slug: str, names: list[str]) -> list[dict[str, str]]:
    """The commands the results page prints, each with what it needs."""
    out = []
    if "ledger.json" in names:  # written at publication: before it, the recount alone
        out.append({"what": f"With the recount kit ({kit_name(slug)}), in the folder you "
                            "saved it to",
                    "command": f"hustings verify all {kit_name(slug)}"})
    if any(n.startswith("ballots-") and n.endswith(".csv") for n in names):
        out.append({"what": "With election.toml, result.json and the ballots-*.csv files "
                            "saved into one folder, from that folder",
                    "command": "hustings verify ballots --rules election.toml "
                               "--result result.json ballots-*.csv"})
    return out


def readme(slug: str, title: str, names: list[str]) -> str:
    listing = "\n".join(f"  {n}" for n in sorted(names))
    return f"""Recount kit: {title}

Everything published about this count, to check it yourself with Hustings
(pip install hustings, or from the source), with nothing else:

  hustings verify all {kit_name(slug)}

checks, in turn: the ledger's hash chain (ledger.json); that the sealed ballots
(sealed-ballots.csv) are exactly the receipts in the ledger; and that a recount of the
published ballots (ballots-*.csv, each naming its section in every row) under the
published rules (election.toml) gives the published result (result.json), round by round.
Exit status 0: verified; 1: not (one line says where); 2: a file is not what it should be.

Unzipped, the same recount alone is:

  hustings verify ballots --rules election.toml --result result.json ballots-*.csv

(The .blt files are the same ballots in the BLT format other counting programs read;
give either the CSV or the BLT of a section, not both.)

Files:
{listing}
"""


def build(slug: str, title: str, files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in [(README, readme(slug, title, list(files))), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    return buf.getvalue()
