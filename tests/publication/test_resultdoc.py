"""The published result document (``hustings.publication.resultdoc``): what ``hustings
verify ballots`` compares, and what it lets differ between two renderings."""

from __future__ import annotations

from hustings.counting import Ballots, Rules, count
from hustings.publication import resultdoc

CANDIDATES = ("A", "B", "C")
# A 4, B 3, C 2: C goes, its ballots split 1 to A and 1 to B; A wins 5 to 4.
RANKINGS = [["A"]] * 4 + [["B"]] * 3 + [["C", "A"], ["C", "B"]]


def result():
    return count(Rules(CANDIDATES), Ballots.from_rankings(CANDIDATES, RANKINGS))


def test_two_renderings_of_one_count_do_not_differ():
    first = resultdoc.document(result(), title="Leader")
    second = resultdoc.document(result(), title="Another title")  # in the volatile config
    assert resultdoc.differences(first, second) == []


def test_a_changed_figure_is_named_by_its_path():
    published = resultdoc.plain_document(result())
    recount = resultdoc.plain_document(result())
    assert published["rounds"][1]["tally"] == {"A": "5", "B": "4"}
    recount["rounds"][1]["tally"]["A"] = "6"
    assert resultdoc.differences(published, recount) == [
        "$.rounds[1].tally.A: published '5', recount '6'"]


def test_differences_name_missing_keys_and_lengths_and_stop_at_the_limit():
    a = {"rounds": [1, 2], "x": 1}
    b = {"rounds": [1, 2, 3], "y": 1}
    assert resultdoc.differences(a, b) == [
        "$.rounds: published has 2 items, the recount 3",
        "$.x: in the published result but not the recount",
        "$.y: missing from the published result",
    ]
    assert len(resultdoc.differences({"k": list(range(9))}, {"k": list(range(1, 10))},
                                     limit=3)) == 3
