"""What a step works with: the composed archive, a session, the item, and a scratch directory."""

from __future__ import annotations

import shutil
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

    def master_path(self) -> Path:
        """A local copy of the master for tools that need a file; fetched once per run.

        The copy is named with the original extension only for readability; no tool may trust it.
        """
        path = self.workdir / ("master" + Path(self.item.original_name).suffix.lower()[:10])
        if not path.exists():
            assert self.item.master_bitstream is not None
            partial = path.with_name(path.name + ".part")
            try:
                with open(partial, "wb") as out:
                    for chunk in self.archive.store.get(self.item.master_bitstream.storage_key):
                        out.write(chunk)
            except StorageError as exc:
                raise transient("store-unavailable",
                                f"Không đọc được bản gốc từ kho lưu trữ ({exc}); hệ thống sẽ tự thử lại.",
                                f"The master could not be read from storage ({exc}); it will be retried.") from exc
            partial.rename(path)
        return path

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
