"""What an archivist hands over: folders, ZIPs, BagIt bags; an invalid bag is refused as a whole."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import bagit
import pytest
from sqlalchemy import func, select

from archive.batches import BatchService
from archive.catalog import Bitstream, Fonds, IngestBatch
from archive.factory import Archive
from archive.intake import IntakeError, collect
from tests.pipeline.badfiles import CORPUS
from tests.pipeline.conftest import RunBatch


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy(name: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / name, target)
    return target


def make_bag(folder: Path) -> Path:
    """A bag of two corpus files, one in a sub-folder, with a SHA-256 manifest."""
    copy("vn003.pdf", folder / "vn003.pdf")
    copy("vn008.pdf", folder / "cong-van" / "vn008.pdf")
    bagit.make_bag(str(folder), {"Source-Organization": "Sở Nội vụ"}, checksums=["sha256"])
    return folder


def assert_nothing_stored(archive: Archive) -> None:
    assert list(archive.store.list()) == []
    with archive.sessions() as session:
        assert session.scalar(select(func.count()).select_from(IngestBatch)) == 0
        assert session.scalar(select(func.count()).select_from(Bitstream)) == 0
        assert session.scalar(select(func.count()).select_from(Fonds)) == 0


def test_zip_is_expanded_into_named_items_without_os_junk(
        tmp_path: Path, archive: Archive, run_batch: RunBatch) -> None:
    lo = tmp_path / "lo.zip"
    with zipfile.ZipFile(lo, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(CORPUS / "vn003.pdf", "vn003.pdf")
        zf.write(CORPUS / "vn008.pdf", "ho-so/vn008.pdf")
        zf.writestr("ho-so/", "")                      # a directory entry
        zf.writestr("Thumbs.db", b"\x00" * 64)
        zf.writestr("ho-so/.DS_Store", b"\x00\x00\x00\x01Bud1")
    report = run_batch(lo, name="Lô nén")
    assert {str(i["name"]): i["state"] for i in report.items} == {
        "lo.zip/vn003.pdf": "archived", "lo.zip/ho-so/vn008.pdf": "archived"}
    for item in report.items:   # the masters are the files inside, byte for byte
        corpus_file = CORPUS / str(item["name"]).rsplit("/", 1)[-1]
        assert item["sha256"] == sha256(corpus_file)
        assert b"".join(archive.store.get(str(item["master_key"]))) == corpus_file.read_bytes()
    # The ZIP itself is a container, not a record: it is not stored.
    assert sha256(lo) not in {str(i["sha256"]) for i in report.items}


def test_folder_skips_os_junk_files(tmp_path: Path, archive: Archive) -> None:
    folder = tmp_path / "ho-so-2024"
    copy("vn010.pdf", folder / "vn010.pdf")
    copy("vn008.pdf", folder / "phu-luc" / "vn008.pdf")
    for junk in ("Thumbs.db", ".DS_Store", "desktop.ini", "phu-luc/Thumbs.db", "phu-luc/.DS_Store"):
        (folder / junk).write_bytes(b"\x00junk")
    service = BatchService(archive)
    report = service.report(service.submit([folder]))
    assert sorted(str(i["name"]) for i in report.items) == ["ho-so-2024/phu-luc/vn008.pdf", "ho-so-2024/vn010.pdf"]
    assert report.total == 2

    only_junk = tmp_path / "rac"
    only_junk.mkdir()
    (only_junk / "Thumbs.db").write_bytes(b"\x00")
    with pytest.raises(IntakeError) as refused:
        service.submit([only_junk])
    assert refused.value.en == "There are no files to take in."


def test_valid_bag_is_taken_with_payload_names(tmp_path: Path, archive: Archive) -> None:
    bag = make_bag(tmp_path / "goi-nop-luu")
    service = BatchService(archive)
    report = service.report(service.submit([bag], name="Gói BagIt"))
    names = {str(i["name"]): i for i in report.items}
    # Named by payload path (without the bag's data/ folder); tag files are not records.
    assert set(names) == {"goi-nop-luu/vn003.pdf", "goi-nop-luu/cong-van/vn008.pdf"}
    assert names["goi-nop-luu/vn003.pdf"]["sha256"] == sha256(CORPUS / "vn003.pdf")
    assert names["goi-nop-luu/cong-van/vn008.pdf"]["sha256"] == sha256(CORPUS / "vn008.pdf")

    # The same bag zipped (as it usually travels) gives the same payload names under the ZIP's name.
    zipped = tmp_path / "goi.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for path in sorted(bag.rglob("*")):
            if path.is_file():
                zf.write(path, f"goi-nop-luu/{path.relative_to(bag).as_posix()}")
    report = service.report(service.submit([zipped]))
    assert {str(i["name"]) for i in report.items} == {"goi.zip/vn003.pdf", "goi.zip/cong-van/vn008.pdf"}


@pytest.mark.parametrize("damage", ["appended", "same-size", "unlisted"])
def test_invalid_bag_is_refused_as_a_whole_and_nothing_is_stored(
        tmp_path: Path, archive: Archive, damage: str) -> None:
    bag = make_bag(tmp_path / "goi-hong")
    target = bag / "data" / "vn003.pdf"
    if damage == "appended":          # size changes: bagit's Payload-Oxum check catches it first
        target.write_bytes(target.read_bytes() + b"%% them\n")
        culprit = "data/vn003.pdf"
    elif damage == "same-size":       # only the checksum can tell
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
        culprit = "data/vn003.pdf"
    else:                             # a file slipped in after the bag was made
        copy("vn010.pdf", bag / "data" / "them.pdf")
        culprit = "data/them.pdf"
    good = copy("vn010.pdf", tmp_path / "rieng" / "vn010.pdf")   # submitted together with the bag

    with pytest.raises(IntakeError) as refused:
        BatchService(archive).submit([good, bag])
    error = refused.value
    assert "goi-hong" in error.en and "none of its files were taken" in error.en
    assert "không tiếp nhận tệp nào" in error.vi
    assert any(culprit in line for line in error.details), error.details
    assert_nothing_stored(archive)


def test_missing_path_is_refused_with_a_readable_message(tmp_path: Path, archive: Archive) -> None:
    missing = tmp_path / "khong-co" / "van-ban.pdf"
    with pytest.raises(IntakeError) as refused:
        BatchService(archive).submit([CORPUS / "vn003.pdf", missing])
    assert refused.value.en == f"{missing} does not exist; check the path."
    assert refused.value.vi == f"Không tìm thấy {missing}; hãy kiểm tra đường dẫn."
    assert_nothing_stored(archive)


def test_macos_zip_leftovers_are_not_records(tmp_path: Path) -> None:
    bundle = tmp_path / "mac.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("ho-so/van-ban.txt", "nội dung")
        archive.writestr("__MACOSX/ho-so/._van-ban.txt", b"\0\5\26\7")
        archive.writestr("ho-so/._van-ban.txt", b"\0\5\26\7")
    names = [f.name for f in collect([bundle], tmp_path / "scratch")]
    assert names == ["mac.zip/ho-so/van-ban.txt"]
