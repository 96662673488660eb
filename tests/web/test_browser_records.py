"""In Debian's chromium: sign in, search without diacritics, open the hit at its matching page.

Screenshots of each step go to ``test-output/browser/`` beside the other browser tests' ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from archive.catalog.codes import Mode
from archive.web import create_web_app
from tests.web.conftest import AGENCY_A, Web, build_archive, live_server, populate
from tests.web.records_data import make_record
from tests.web.test_browser import _shot, browser  # noqa: F401  (the chromium fixture)


@pytest.fixture()
def served_records(tmp_path: Path) -> Iterator[tuple[Web, str, int]]:
    archive = build_archive(tmp_path)
    web = Web(archive, create_web_app(archive), populate(archive))
    record = make_record(archive, AGENCY_A, Mode.RESTRICTED,
                         ["Ủy ban nhân dân tỉnh", "Quyết định phê duyệt kế hoạch chuyển đổi số năm 2024"],
                         number="45", subject="Về việc phê duyệt kế hoạch chuyển đổi số")
    with live_server(web.app) as url:
        yield web, url, record
    archive.engine.dispose()


def test_search_without_diacritics_and_open_the_hit_at_its_page(
        browser: Browser, served_records: tuple[Web, str, int]) -> None:  # noqa: F811
    web, url, record = served_records
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/login")
    page.fill("#username", "official-a")
    page.fill("#password", web.passwords["official-a"])
    page.click("#sign-in")
    page.click("text=Tra cứu")
    page.fill("#q", "chuyen doi so")
    _shot(page, "20-search-typed")
    page.click("#search-submit")
    expect(page.locator("#total")).to_have_text("1 kết quả")
    expect(page.locator(".snippet mark").first).to_be_visible()
    _shot(page, "21-search-results")
    page.locator(".snippet a").first.click()
    expect(page).to_have_url(f"{url}/records/{record}?page=2")
    expect(page.locator("#page-number")).to_have_text("2 / 2")
    page.wait_for_load_state("load")
    assert page.locator("#page-image").evaluate("img => img.complete && img.naturalWidth") > 0, "page image rendered"
    expect(page.locator("h1")).to_contain_text("45/QĐ-UBND")
    _shot(page, "22-record-at-page")
