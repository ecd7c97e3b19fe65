"""In Debian's Chromium (Playwright): the demo contest's results page shows its charts at
1280 px and 390 px with nothing wider than the window, passes axe, and works with
JavaScript off (the charts are server-rendered SVG)."""

from __future__ import annotations

import pytest
from published_demo import publish_demo
from test_browser import no_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [1280, 390])
def test_results_page_charts_fit_and_pass_axe(browser, live_server, client, tmp_path,
                                              settings, width):
    contest, _ = publish_demo(client, tmp_path, settings)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server.url}/contests/{contest.slug}/results/")
    assert "Elected:" in page.inner_text("#winners")
    charts = page.locator("figure svg")
    assert charts.count() >= 8
    box = charts.first.bounding_box()
    assert box and 0 < box["width"] <= width and box["height"] > 50
    assert page.evaluate(OVERFLOW) <= 0, f"the page scrolls sideways at {width} px"
    no_violations(page)


def test_results_page_works_without_javascript(browser, live_server, client, tmp_path,
                                               settings):
    contest, _ = publish_demo(client, tmp_path, settings)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390,
                                                                       "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/contests/{contest.slug}/results/")
    assert page.locator("figure svg").count() >= 8
    assert page.locator("table").count() >= 4
    page.emulate_media(media="print")  # print: the charts and tables stay, the frame goes
    assert page.locator("header.top").is_hidden() and page.locator("figure svg").first.is_visible()
    page.goto(f"{live_server.url}/contests/{contest.slug}/results/?embed=1")
    assert page.locator("figure svg").count() >= 8
    context.close()


def test_gallery_count_fits_and_passes_axe(browser, live_server, settings, shared):
    from hustings.web.voting import gallery

    folder = shared / "data"
    if not (folder / gallery.ENTRIES[0].path).is_file():
        pytest.skip("../shared/data is not present")
    settings.HUSTINGS_GALLERY_DATA = str(folder)
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(f"{live_server.url}/gallery/")
    no_violations(page)
    page.goto(f"{live_server.url}/gallery/labour-2010-plp/")
    assert page.locator("figure svg").count() == 5  # four rounds and the Sankey
    assert page.evaluate(OVERFLOW) <= 0
    no_violations(page)
