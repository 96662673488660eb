"""Controlled sharing in a real browser (Debian's chromium): request from agency B, approve as
agency A's archivist, open the shared document, revoke, see it refused. Screenshots of each step
go to ``test-output/browser/`` with the other browser artefacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from archive.web import create_web_app
from tests.web.conftest import Web, build_archive, live_server, populate
from tests.web.sharing_data import WORD, add_document
from tests.web.test_browser import _shot, browser  # noqa: F401  (the chromium fixture)


@pytest.fixture()
def shared_site(tmp_path: Path) -> Iterator[tuple[Web, str, int]]:
    archive = build_archive(tmp_path)
    web = Web(archive, create_web_app(archive), populate(archive))
    document_id, _ = add_document(archive)
    with live_server(web.app) as url:
        yield web, url, document_id
    archive.engine.dispose()


def _sign_in(browser: Browser, web: Web, url: str, username: str) -> Page:  # noqa: F811
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", web.passwords[username])
    page.click("#sign-in")
    expect(page.locator("h1")).to_have_text("Tổng quan")
    return page


def test_request_approve_open_revoke_refused(browser: Browser, shared_site: tuple[Web, str, int]) -> None:  # noqa: F811
    web, url, document_id = shared_site
    official = _sign_in(browser, web, url, "official-b")
    official.goto(f"{url}/sharing?document={document_id}")
    official.select_option("select[name=purpose]", "02")
    official.fill("textarea[name=reason]", "Phục vụ thanh tra ngân sách")
    _shot(official, "sharing-01-request")
    official.click("#request-form button[type=submit]")
    expect(official.locator("p.notice")).to_contain_text("Đã gửi yêu cầu số")
    expect(official.locator("#made")).to_contain_text("Chờ duyệt")

    archivist = _sign_in(browser, web, url, "archivist-a")
    expect(archivist.locator("#sharing-pending")).to_have_text("1")
    archivist.click("#nav-sharing")
    row = archivist.locator("#received tbody tr").first
    expect(row).to_contain_text("Phục vụ thanh tra ngân sách")
    row.locator("input[name=allow_download]").check()
    _shot(archivist, "sharing-02-received")
    row.locator("button[value=approve]").click()
    link = archivist.locator("#share-link").inner_text()
    assert "/s/" in link
    _shot(archivist, "sharing-03-approved")

    official.goto(link)
    expect(official.locator("#shared-title")).to_contain_text(WORD)
    expect(official.locator("#grant-state")).to_have_text("Đang hiệu lực")
    with official.expect_download() as download:
        official.click("a.download")
    assert download.value.suggested_filename.endswith("-ban-sao.pdf")
    _shot(official, "sharing-04-opened")

    archivist.goto(f"{url}/sharing")
    archivist.locator("#grants button[type=submit]").click()
    expect(archivist.locator("p.notice")).to_contain_text("Đã thu hồi")
    _shot(archivist, "sharing-05-revoked")

    official.goto(link)
    expect(official.locator("h1")).to_have_text("Không mở được tài liệu được chia sẻ")
    expect(official.locator("#refusal")).to_contain_text("đã bị cơ quan lưu giữ thu hồi")
    _shot(official, "sharing-06-refused")
