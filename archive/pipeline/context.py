"""What a step works with: the composed archive, a session, the item, and a scratch directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from archive.catalog import BatchItem
from archive.factory import Archive
from archive.pipeline.errors import transient
from storage import StorageError


@dataclass
class ItemContext:
    archive: Archive
    session: Session
    item: BatchItem
    workdir: Path
    scratch: dict[str, object] = field(default_factory=dict)

    def fetch(self, key: str, name: str) -> Path:
        """A local copy of a stored object for tools that need a file; fetched once per run."""
        path = self.workdir / name
        if not path.exists():
            partial = path.with_name(path.name + ".part")
            try:
                with open(partial, "wb") as out:
                    for chunk in self.archive.store.get(key):
                        out.write(chunk)
            except StorageError as exc:
                raise transient("store-unavailable",
                                f"Không đọc được {key} từ kho lưu trữ ({exc}); hệ thống sẽ tự thử lại.",
                                f"{key} could not be read from storage ({exc}); it will be retried.") from exc
            partial.rename(path)
        return path

    def master_path(self) -> Path:
        """The master as a local file. Named with the original extension only for readability; no tool
        may trust it."""
        assert self.item.master_bitstream is not None
        return self.fetch(self.item.master_bitstream.storage_key,
                          "master" + Path(self.item.original_name).suffix.lower()[:10])

    def end_reads(self) -> None:
        """End the step's catalog transaction before slow work that needs nothing more from the catalog.

        On SQLite a pipeline transaction holds the write lock from its first query to its commit (see
        ``make_session_factory``), so one left open across, say, a search index commit stops every other
        worker process for that long. Only when the step has changed nothing yet (a retried item's
        cleared failure is pending until the step succeeds, so then the transaction stays open).
        """
        session = self.session
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            session.commit()
