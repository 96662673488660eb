"""Where the DejaVu fonts are found.

The standard PDF fonts have no Vietnamese glyphs, so every page we lay out ourselves (auditor reports,
stamps, sample documents) embeds a DejaVu font from Debian's fonts-dejavu-core, which
``scripts/bootstrap.sh`` installs.
"""

from __future__ import annotations

from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


class FontMissing(FileNotFoundError):
    """A DejaVu font is not installed: Vietnamese text cannot be rendered."""


def dejavu(name: str) -> Path:
    """The installed file of the DejaVu font *name*, e.g. ``DejaVuSans.ttf``."""
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise FontMissing(f"{name} is not installed; install the fonts-dejavu-core package (Vietnamese text needs it).")
