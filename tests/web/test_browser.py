"""The pages in a real browser: Debian's chromium driven by Playwright (no browser download).

Sign in, upload a small batch of born-digital PDFs (chosen files, a folder, a file dropped on the
drop zone) with a test virus, watch it finish live, download the quarantined original and retry
it, switch to English, and look at the dashboard on a phone-sized screen. A screenshot of every
step is saved under ``test-output/browser/`` (``LUUTRU_TEST_OUTPUT`` to change it) as a test artefact.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from archive.web import create_web_app
from archive.work import LocalWorker
from tests.conftest import REPO_ROOT
from tests.pipeline.badfiles import EICAR
from tests.web.conftest import CORPUS, Web, build_archive, live_server, populate

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(os.environ.get("LUUTRU_TEST_OUTPUT", REPO_ROOT / "test-output")) / "browser"


@pytest.fixture()
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/bootstrap.sh (installs chromium and chromium-driver).",
                    pytrace=False)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture()
def served(tmp_path: Path, clamd_address: str) -> Iterator[tuple[Web, str]]:
    archive = build_archive(tmp_path, {"LUUTRU_CLAMD": clamd_address})
    web = Web(archive, create_web_app(archive), populate(archive))
    worker = LocalWorker(archive, threads=2)
    thread = threading.Thread(target=worker.run, kwargs={"poll_seconds": 0.2}, daemon=True)
    thread.start()
    with live_server(web.app) as url:
        yield web, url
    worker.stop()
    thread.join(timeout=60)
    archive.engine.dispose()


def _shot(page: Page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def test_sign_in_upload_watch_finish_and_switch_language(browser: Browser, served: tuple[Web, str],
                                                         tmp_path: Path) -> None:
    web, url = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{url}/login")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    page.fill("#username", "archivist-a")
    page.fill("#password", web.passwords["archivist-a"])
    _shot(page, "01-sign-in")
    page.click("#sign-in")
    expect(page.locator("h1")).to_have_text("Tổng quan")
    _shot(page, "02-dashboard")

    page.click("text=Tiếp nhận lô mới")
    folder = tmp_path / "Hồ sơ 02"
    folder.mkdir()
    shutil.copy(CORPUS / "vn008.pdf", folder / "vn008.pdf")
    eicar = tmp_path / "eicar.com"
    eicar.write_bytes(EICAR)
    page.set_input_files("#files", [str(CORPUS / "vn003.pdf"), str(eicar)])
    page.set_input_files("#folder", str(folder))
    page.evaluate("""() => {
        const dt = new DataTransfer();
        dt.items.add(new File(["Công văn thả vào vùng tiếp nhận"], "tha-vao.txt", {type: "text/plain"}));
        const zone = document.getElementById("dropzone");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""")
    page.fill("#batch-name", "Lô thử trình duyệt")
    expect(page.locator("#selected-count")).to_have_text("4")
    expect(page.locator("#selected")).to_contain_text("tha-vao.txt")
    expect(page.locator("#selected")).to_contain_text("Hồ sơ 02/vn008.pdf")
    _shot(page, "03-new-batch")
    page.click("#submit-batch")

    page.wait_for_url("**/batches/*")
    expect(page.locator("h1")).to_contain_text("Lô thử trình duyệt")
    _shot(page, "04-processing")
    expect(page.locator("#batch-status")).to_have_attribute("data-status", "completed_with_errors", timeout=240_000)
    expect(page.locator("#items tr")).to_have_count(4)
    expect(page.locator("#items")).to_contain_text("tha-vao.txt")
    expect(page.locator("#items")).to_contain_text("Đã lưu trữ")
    expect(page.locator("#items")).to_contain_text("Hồ sơ 02/vn008.pdf")
    quarantined = page.locator('#items tr[data-state="quarantined"]')
    expect(quarantined).to_contain_text("eicar.com")
    expect(quarantined.locator("button")).to_have_text("Thử lại")
    expect(page.locator("#quarantine")).to_contain_text("Tải bản gốc")
    _shot(page, "05-finished-with-quarantine")
    with page.expect_download() as download:
        page.click("#quarantine a")
    assert Path(download.value.path()).read_bytes() == EICAR
    quarantined.locator("button").click()
    expect(page.locator("#batch-status")).to_have_attribute("data-status", "completed_with_errors", timeout=120_000)

    page.click("#switch-language")
    expect(page.locator("h1")).to_contain_text("Batch")
    expect(page.locator("#items")).to_contain_text("Archived")
    expect(page.locator('#items tr[data-state="quarantined"] button')).to_have_text("Retry")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _shot(page, "06-english")
    page.goto(f"{url}/")
    expect(page.locator("h1")).to_have_text("Dashboard"), "the choice is kept for the user"

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(f"{url}/login")
    phone.fill("#username", "official-a")
    phone.fill("#password", web.passwords["official-a"])
    phone.click("#sign-in")
    expect(phone.locator("h1")).to_have_text("Tổng quan")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard is {width}px wide on a 390px phone"
    _shot(phone, "07-phone-dashboard")
    assert not console_errors, console_errors
