"""The gallery of real counts: each count with its label, charts, what-if and margin, read
from the configured data folder (never from the repository); absent data is said."""

from __future__ import annotations

import pytest

from hustings.web.voting import gallery

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(shared, settings):
    folder = shared / "data"
    if not (folder / gallery.ENTRIES[0].path).is_file():
        pytest.skip("../shared/data is not present")
    settings.HUSTINGS_GALLERY_DATA = str(folder)
    return folder


def test_index_lists_each_count_with_its_label(client, data):
    page = client.get("/gallery/").content.decode()
    for e in gallery.ENTRIES:
        assert f'href="/gallery/{e.key}/"' in page and e.label in page


def test_plp_2010_count_shows_charts_what_if_and_margin(client, data):
    page = client.get("/gallery/labour-2010-plp/").content.decode()
    assert "Elected: David Miliband" in page and "266 ballots counted" in page
    assert "not the declared result" in page  # labelled as what it is
    assert page.count('id="chart-round-') == 4 and 'id="chart-transfers-all-ballots"' in page
    assert "140–122 over Ed Miliband" in page  # Condorcet head to head (published figures)
    assert "changing <strong>9</strong> ballots" in page  # docs/analysis.md: margin 9
    png = client.get("/gallery/labour-2010-plp/charts/round-1-all-ballots.png")
    assert png.content.startswith(b"\x89PNG")


def test_burlington_and_glasgow_count(client, data):
    page = client.get("/gallery/burlington-2009/").content.decode()
    assert "Elected: Bob Kiss" in page
    page = client.get("/gallery/glasgow-2007-anderston/").content.decode()
    assert "Elected:" in page and "Scottish STV" in page


def test_absent_data_is_said(client, settings, tmp_path):
    settings.HUSTINGS_GALLERY_DATA = str(tmp_path)
    page = client.get("/gallery/").content.decode()
    assert page.count("its ballots are not on this server") == len(gallery.ENTRIES)
    r = client.get("/gallery/burlington-2009/")
    assert r.status_code == 404 and "not on this server" in r.content.decode()
    assert client.get("/gallery/nothing/").status_code == 404
