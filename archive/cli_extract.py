"""`luutru extract FILE --json`: the registry fields of one file, without storing anything."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive.cli import Context, main, pass_ctx
from ingest.extract import ExtractSettings
from ingest.extract.files import extract_file
from ingest.extract.mapping import to_tt05_ead_doc


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the fields as one JSON object.")
@click.option("--review", is_flag=True, help="Also list the fields to review and the validation warnings.")
@pass_ctx
def extract(ctx: Context, path: Path, as_json: bool, review: bool) -> None:
    """Read the ND 30/2020 registry fields of a scan or a born-digital file (OCR if needed)."""
    settings = ExtractSettings(review_threshold=ctx.settings.review_threshold)
    try:
        result = extract_file(path, settings, lang=ctx.settings.ocr_languages.replace("+eng", ""))
    except Exception as exc:  # any reader's failure on a bad file must reach the person as a sentence
        reason = f"{type(exc).__name__}: {exc}"
        click.echo(f"Không đọc được {path.name} ({reason}); hãy kiểm tra đó là PDF hoặc ảnh quét."
                   if ctx.lang == "vi" else f"Cannot read {path.name} ({reason}); check that it is a PDF or a scan.",
                   err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(result.to_dict(include_review=review), ensure_ascii=False))
        return
    for name, value in result.to_dict(include_review=True).items():
        if name != "confidence":
            click.echo(f"{name:<18} {value if value is not None else '—'}"
                       f"{'' if name not in result.confidence else f'  ({result.confidence[name]:.2f})'}")
    mapped = to_tt05_ead_doc(result)
    click.echo("TT 05/2025 EAD_doc: " + json.dumps(mapped.fields, ensure_ascii=False))
