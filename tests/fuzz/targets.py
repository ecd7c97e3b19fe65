"""What the fuzzer feeds: each reader and loader, its seed files, and its documented errors.

A target's seed is a folder layout ``{file name: bytes}`` (one file for most readers, a
folder of files for Hart and Dominion); a case mutates one file of one seed, writes the
layout into a scratch folder and calls the reader. Seeds are small (the first rows of real
files from ``examples/`` and ``../shared``, read in place), so a case costs milliseconds.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mutate import csv_structured, json_structured, mutate, toml_structured, xml_structured

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
RCTAB = SHARED / "conformance/rctab/test_data"

Layout = dict[str, bytes]


@dataclass(frozen=True)
class Target:
    name: str
    seeds: Callable[[], list[Layout]]
    run: Callable[[Path], object]  # reads the case in the given folder
    documented: Callable[[], tuple[type[BaseException], ...]]
    structured: Callable | None = None  # a format-aware mutation (JSON)
    needs_shared: bool = False


def _head(path: Path, lines: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


# -- hustings' own formats --------------------------------------------------------------


def _format_error() -> tuple[type[BaseException], ...]:
    from hustings.formats.errors import FormatError

    return (FormatError,)


def _read(name: str) -> Callable[[Path], object]:
    def run(folder: Path) -> object:
        from hustings.formats.readers import read_ballot_file

        return read_ballot_file(folder / name)

    return run


def _csv_seeds() -> list[Layout]:
    ex = REPO / "examples/college"
    seeds = [{"case.csv": _head(ex / f, 12)} for f in ("mps.csv", "members.csv", "affiliates.csv")]
    seeds.append({"case.csv": b"ballot_id,section,weight,pref1,pref2,pref3\n"
                              b"1,MP,2,David Miliband,Ed Miliband,\n"
                              b"2,MEP,1,\"Balls, Ed\",,\n3,MP,5,'=HYPERLINK(\"x\"),,\n"})
    plp = SHARED / "data/labour/labour-2010-plp-ballots.csv"
    if plp.exists():
        seeds.append({"case.csv": _head(plp, 10)})
    return seeds


def _college_seeds() -> list[Layout]:
    """Ballots for the example college's rules: a section column, labels of each section."""
    return [{"case.csv": b"ballot_id,section,pref1,pref2,pref3,weight\n"
                         b"1,MP,Alex Ashby,Bea Brown,,1\n2,MEP,Cal Carter,,,2\n"
                         b"3,Members,Dee Dhillon,Alex Ashby,Bea Brown,1\n4,CLP,Bea Brown,,,1\n"
                         b"5,TU,Cal Carter,Dee Dhillon,,3\n6,Affiliates,Alex Ashby,,,1\n"},
            {"case.csv": b"section,rank1,rank2\nMember,Alex Ashby,\nUnion,Bea Brown,Cal Carter\n"
                         b"MP, Dee Dhillon ,\n"}]


def _run_college(folder: Path) -> object:
    """The CLI's path for ``hustings count --rules``: declared candidates, rows placed in
    the rules' sections by label (``readers.read_ballots``)."""
    from hustings.config import load_election
    from hustings.formats.readers import Source, read_ballots

    election = load_election(REPO / "examples/college/election.toml")
    return read_ballots([Source(folder / "case.csv")], candidates=election.candidates,
                        plan=election.plan)


def _blt_seeds() -> list[Layout]:
    seeds = [{"case.blt": b'4 2\n-4\n3 1 2 0\n1 3=4 2 0\n2 1 - 3 0\n0\n"Alice"\n"Bob"\n'
                          b'"Carol Ann"\n"Dan"\n"Club committee"\n'}]
    folder = SHARED / "data/scotland"
    if folder.is_dir():
        for name in ("aberdeenshire_2016_by_election_banff_and_district.blt",
                     "eilean_siar_2022_ward4.blt", "eilean_siar_2022_ward3.blt"):
            seeds.append({"case.blt": (folder / name).read_bytes()})
    return seeds


def _preflib_seeds(suffix: str) -> Callable[[], list[Layout]]:
    def seeds() -> list[Layout]:
        out = [{f"case.{suffix}": b"# DATA TYPE: soi\n# NUMBER ALTERNATIVES: 3\n"
                                  b"# ALTERNATIVE NAME 1: Diane Abbott\n"
                                  b"# ALTERNATIVE NAME 2: Ed Balls\n"
                                  b"# ALTERNATIVE NAME 3: Andy Burnham\n"
                                  b"111: 2,1\n3: 3,{1,2}\n7: 1,2,3\n"}]
        folder = SHARED / "data/preflib"
        for name in ("00030-00000001.soi", "00016-00000002.toi", "00005-00000001.toi"):
            if (folder / name).exists():
                text = (folder / name).read_bytes().splitlines(keepends=True)
                head = [x for x in text if x.startswith(b"#")]
                rows = [x for x in text if not x.startswith(b"#")][:8]
                out.append({f"case.{suffix}": b"".join(head + rows)})
        return out

    return seeds


# -- election.toml ----------------------------------------------------------------------


def _config_error() -> tuple[type[BaseException], ...]:
    from hustings.config import ConfigError
    from hustings.counting import CountingError

    # load_election raises ConfigError; Election.rules() builds Rules, whose own checks
    # (e.g. more seats than candidates) are the counting tree's RulesError.
    return (ConfigError, CountingError)


def _toml_seeds() -> list[Layout]:
    from hustings.rulebook import preset_names, preset_text

    seeds = [{"election.toml": (REPO / "examples/college/election.toml").read_bytes()}]
    seeds += [{"election.toml": preset_text(n).encode()} for n in preset_names()]
    seeds.append({"election.toml": b'[count]\nmethod = "stv"\nseats = 2\n'
                                   b'candidates = ["A", "B", "C"]\ndecimal_places = 4\n'
                                   b'[count.tie_break]\nmode = "random"\nseed = 7\n'
                                   b'[count.ballot]\nmax_rankings = 3\n'
                                   b'[[sections]]\nname = "X"\nweight = "1/2"\nlabels = ["x"]\n'
                                   b'[[sections]]\nname = "Y"\nweight = 1\n'})
    return seeds


def _run_toml(folder: Path) -> object:
    from hustings.config import load_election

    election = load_election(folder / "election.toml")
    return election.rules(("A", "B", "C", "D"))


# -- RCTab --------------------------------------------------------------------------------


def _rctab_error() -> tuple[type[BaseException], ...]:
    from hustings.formats.rctab import RctabError

    return (RctabError,)


_CONFIG_CASES = ("generic_csv_test", "clear_ballot_kansas_primary", "hart_cedar_park_school_board",
             "dominion_multi_file", "nist_xml_cdf_2", "test_set_overvote_delimiter",
             "multi_seat_bottoms_up_with_cutoff_eliminate", "tiebreak_seed_test",
             "invalid_params_test")


def _rctab_config_seeds() -> list[Layout]:
    return [{"config.json": _contest(n).read_bytes()} for n in _CONFIG_CASES]


@cache
def _config_sources() -> dict[str, Path]:
    """Each seed config's filePath -> the CVR it names, so a mutated config copied to a
    scratch folder still finds its files (and a mutated filePath finds none)."""
    out = {}
    for n in _CONFIG_CASES:
        config = _contest(n)
        for s in json.loads(config.read_text()).get("cvrFileSources", []):
            out[s["filePath"]] = config.parent / s["filePath"]
    return out


def _run_rctab_config(folder: Path) -> object:
    from hustings.formats.rctab import read_config

    return read_config(folder / "config.json", substitutes=_config_sources())


def _contest(case: str) -> Path:
    return next((RCTAB / case).glob("*config.json"))


def _run_source(case: str, target: str) -> Callable[[Path], object]:
    """Read the conformance case's config in place, with its one CVR source replaced by
    the mutated file (or folder) ``target`` in the case folder."""

    def run(folder: Path) -> object:
        from hustings.formats.rctab import load_contest

        config = _contest(case)
        file_path = json.loads(config.read_text())["cvrFileSources"][0]["filePath"]
        return load_contest(config, substitutes={file_path: folder / target})

    return run


def _ess_csv_seeds() -> list[Layout]:
    return [{"cvr.xlsx.csv": (RCTAB / "test_set_overvote_delimiter"
                              / "test_set_overvote_delimiter_cvr.xlsx.csv").read_bytes()}]


@cache
def _sheet() -> tuple[dict[str, bytes], str]:
    """The overvote-delimiter case's workbook, unpacked: its members and the sheet's name."""
    src = RCTAB / "test_set_overvote_delimiter/test_set_overvote_delimiter_cvr.xlsx"
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sheet = next(n for n in members if n.startswith("xl/worksheets/sheet"))
    return members, sheet


def _xlsx(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    return buf.getvalue()


def _ess_xlsx_seeds() -> list[Layout]:
    members, _ = _sheet()
    return [{"cvr.xlsx": _xlsx(members)}]


def _xlsx_structured(data: bytes, rng: random.Random) -> bytes | None:
    """Mutate the sheet XML or the shared strings inside a valid workbook (a byte-level
    edit of the zip mostly tests zlib's checksums)."""
    members, sheet = _sheet()
    members = dict(members)
    part = rng.choice([sheet, *(n for n in members if n.endswith("sharedStrings.xml"))])
    members[part] = mutate(members[part], rng, structured=xml_structured)
    return _xlsx(members)


def _generic_csv_seeds() -> list[Layout]:
    return [{"cvr.csv": (RCTAB / "generic_csv_test/generic_csv_test_cvr.csv").read_bytes()}]


def _clear_ballot_seeds() -> list[Layout]:
    path = RCTAB / "clear_ballot_kansas_primary/clear_ballot_kansas_primary.cvr.csv"
    return [{"cvr.csv": _head(path, 8)}]


def _cdf_json_seeds() -> list[Layout]:
    doc = json.loads((RCTAB / "test_set_0_skipped_first_choice"
                      / "test_set_0_skipped_first_choice_cvr.json").read_text())
    doc["CVR"] = doc["CVR"][:4]
    return [{"cvr.json": json.dumps(doc, indent=1).encode()}]


def _cdf_xml_seeds() -> list[Layout]:
    return [{"cvr.xml": (RCTAB / "nist_xml_cdf_2/nist_xml_cdf_2.xml").read_bytes()}]


def _dominion_seeds() -> list[Layout]:
    src = RCTAB / "dominion_multi_file/dominion_multi_file_input_data"
    export = json.loads((src / "CvrExport_6.json").read_text(encoding="utf-8-sig"))
    export["Sessions"] = export["Sessions"][:4]
    layout = {"cvrs/CvrExport_1.json": json.dumps(export).encode()}
    for name in ("PrecinctManifest.json", "PrecinctPortionManifest.json",
                 "OutstackConditionManifest.json"):
        doc = json.loads((src / name).read_text(encoding="utf-8-sig"))
        doc["List"] = doc["List"][:12]
        layout[f"cvrs/{name}"] = json.dumps(doc).encode()
    return [layout]


def _hart_seeds() -> list[Layout]:
    src = RCTAB / "_shared/hart_cvr_archive"
    return [{f"cvrs/{p.name}": p.read_bytes() for p in sorted(src.glob("*.xml"))[:4]}]


def _json_structured(data: bytes, rng: random.Random) -> bytes | None:
    return json_structured(data, rng)


TARGETS: tuple[Target, ...] = (
    Target("csv", _csv_seeds, _read("case.csv"), _format_error, csv_structured),
    Target("csv-college", _college_seeds, _run_college, _format_error, csv_structured),
    Target("blt", _blt_seeds, _read("case.blt"), _format_error),
    Target("preflib-soi", _preflib_seeds("soi"), _read("case.soi"), _format_error),
    Target("preflib-toi", _preflib_seeds("toi"), _read("case.toi"), _format_error),
    Target("preflib-soc", _preflib_seeds("soc"), _read("case.soc"), _format_error),
    Target("election-toml", _toml_seeds, _run_toml, _config_error, toml_structured),
    Target("rctab-config", _rctab_config_seeds, _run_rctab_config, _rctab_error,
           _json_structured, needs_shared=True),
    Target("rctab-ess-csv", _ess_csv_seeds,
           _run_source("test_set_overvote_delimiter", "cvr.xlsx.csv"), _rctab_error,
           csv_structured, needs_shared=True),
    Target("rctab-ess-xlsx", _ess_xlsx_seeds,
           _run_source("test_set_overvote_delimiter", "cvr.xlsx"), _rctab_error,
           _xlsx_structured, needs_shared=True),
    Target("rctab-generic-csv", _generic_csv_seeds, _run_source("generic_csv_test", "cvr.csv"),
           _rctab_error, csv_structured, needs_shared=True),
    Target("rctab-clear-ballot", _clear_ballot_seeds,
           _run_source("clear_ballot_kansas_primary", "cvr.csv"), _rctab_error,
           csv_structured, needs_shared=True),
    Target("rctab-cdf-json", _cdf_json_seeds,
           _run_source("test_set_0_skipped_first_choice", "cvr.json"), _rctab_error,
           _json_structured, needs_shared=True),
    Target("rctab-cdf-xml", _cdf_xml_seeds, _run_source("nist_xml_cdf_2", "cvr.xml"),
           _rctab_error, xml_structured, needs_shared=True),
    Target("rctab-dominion", _dominion_seeds, _run_source("dominion_multi_file", "cvrs"),
           _rctab_error, _json_structured, needs_shared=True),
    Target("rctab-hart", _hart_seeds, _run_source("hart_cedar_park_school_board", "cvrs"),
           _rctab_error, xml_structured, needs_shared=True),
)

BY_NAME = {t.name: t for t in TARGETS}


@dataclass(frozen=True)
class Crash:
    target: str
    case: int
    error: BaseException

    def __str__(self) -> str:
        return f"{self.target} case {self.case}: {type(self.error).__name__}: {self.error}"[:300]

    @property
    def signature(self) -> tuple[str, str, str]:
        """(exception type, module, function) of the innermost Hustings frame: where our
        code let the exception through."""
        import traceback

        frames = [f for f in traceback.extract_tb(self.error.__traceback__)
                  if "/hustings/" in f.filename.replace("\\", "/")]
        last = frames[-1] if frames else traceback.extract_tb(self.error.__traceback__)[-1]
        module = last.filename.replace("\\", "/").rsplit("/hustings/", 1)[-1]
        return type(self.error).__name__, module, last.name


def case(target: Target, seeds: list[Layout], i: int, seed: int = 0) -> Layout:
    """Case ``i`` of ``target``: one file of one seed layout, mutated (deterministic)."""
    rng = random.Random(f"{seed}:{target.name}:{i}")
    layout = dict(rng.choice(seeds))
    name = rng.choice(sorted(layout))
    layout[name] = mutate(layout[name], rng, structured=target.structured)
    return layout


def write(folder: Path, layout: Layout, previous: Layout | None = None) -> None:
    for name, data in layout.items():
        if previous is not None and previous.get(name) == data:
            continue
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def run_cases(target: Target, folder: Path, start: int, stop: int, seed: int = 0,
              ) -> tuple[list[Crash], int]:
    """Cases ``start..stop`` of ``target`` in ``folder``; returns the undocumented
    exceptions and how many cases were refused with a documented error."""
    seeds = target.seeds()
    documented = target.documented()
    crashes: list[Crash] = []
    refused = 0
    previous: Layout | None = None
    for i in range(start, stop):
        layout = case(target, seeds, i, seed)
        if previous is not None and set(previous) != set(layout):
            previous = None
        write(folder, layout, previous)
        previous = layout
        try:
            target.run(folder)
        except documented:
            refused += 1
        except Exception as e:  # the point: anything else is a finding
            crashes.append(Crash(target.name, i, e))
    return crashes, refused
