"""Format identification: PRONOM PUID with opf-fido (signatures, then extension), plus a MIME type.

Identification is by content first, so a JPEG named ``.pdf`` is a JPEG; the extension is used only
when no signature matches, and the result says which of the two decided.
"""

from __future__ import annotations

import functools
import io
import threading
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fido.fido import CONFIG_DIR, Fido
from fido.versions import get_local_versions


@dataclass(frozen=True)
class FormatIdentification:
    puid: str | None
    format_name: str | None
    format_version: str | None
    mime_type: str
    basis: str          # "signature", "container", "extension" or "none"
    tool: str


_lock = threading.Lock()
_fido: Fido | None = None
_matches: list[tuple[Any, str]] = []
_match_type: list[str] = []


def _handle(_filename: str, matches: list[tuple[Any, str]], _delta: float, matchtype: str = "") -> None:
    _matches[:] = matches
    _match_type[:] = [matchtype]


def _engine() -> Fido:
    """Fido loads ~1 MB of signatures; load once per process and reuse (guarded: it keeps state)."""
    global _fido
    if _fido is None:
        # The signature file names are versioned; ask fido which ones it ships, as its CLI does.
        sigs = get_local_versions(CONFIG_DIR)
        _fido = Fido(quiet=True, handle_matches=_handle,
                     format_files=[sigs.pronom_signature, sigs.fido_extension_signature])
        _fido.containersignature_file = sigs.pronom_container_signature
    return _fido


def load_signatures() -> None:
    """Load fido's signatures now (~0.5 s) rather than on the first file, e.g. before forking workers."""
    with _lock:
        _engine()


@functools.cache
def tool_name() -> str:
    """Asked once per process: reading a package's metadata costs ~0.5 ms, on every file."""
    return f"opf-fido {version('opf-fido')}"


def identify(path: Path) -> FormatIdentification:
    """Identify one file; never raises for unknown content (basis 'none', MIME octet-stream)."""
    with _lock:
        fido = _engine()
        _matches.clear()
        _match_type[:] = ["none"]
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            fido.identify_file(str(path), extension=True)
        matches, basis = list(_matches), (_match_type[0] if _match_type else "none")
        if not matches:
            return FormatIdentification(None, None, None, "application/octet-stream", "none", tool_name())
        fmt = matches[0][0]
        puid = fido.get_puid(fmt)

    def text(tag: str) -> str | None:
        element = fmt.find(tag)
        return element.text if element is not None else None

    return FormatIdentification(puid=puid, format_name=text("name"), format_version=text("version"),
                                mime_type=text("mime") or "application/octet-stream",
                                basis=basis or "signature", tool=tool_name())
