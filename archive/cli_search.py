"""`luutru search` and `luutru reindex`: thin commands over ``archive.search_service``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive.cli import Context, main, pass_ctx
from archive.search_service import SORTS, SearchInputError, SearchService, encode_cursor, result_json
from search.base import SearchError


def _fail(ctx: Context, exc: Exception) -> None:
    if isinstance(exc, SearchInputError):
        click.echo(exc.message(ctx.lang), err=True)
        sys.exit(2)
    click.echo(("Không tìm kiếm được: " if ctx.lang == "vi" else "Search failed: ") + str(exc), err=True)
    sys.exit(1)


@main.command()
@click.argument("query", required=False, default="")
@click.option("--filter", "filters", multiple=True, metavar="NAME=VALUE",
              help="type, agency, year, fonds, dossier, mode, signer, from, to (repeatable; same name = any of).")
@click.option("--limit", default=20, show_default=True, type=int, help="Hits per page.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--after", "after", default=None, metavar="CURSOR", help="Next page: the cursor printed with --cursor.")
@click.option("--as", "username", default=None, metavar="USER",
              help="Search as this user, with their access rights (default: the operator, who sees everything).")
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the whole result list to FILE.csv or FILE.xlsx.")
@click.option("--save", "save_name", default=None, metavar="NAME", help="Save this search for the --as user.")
@click.option("--saved", "saved_name", default=None, metavar="NAME", help="Run the --as user's saved search NAME.")
@click.option("--cursor", "with_cursor", is_flag=True, help="Add the next page's cursor to the JSON as \"next\".")
@click.option("--json", "as_json", is_flag=True, help="Print {total, hits, facets} as JSON.")
@pass_ctx
def search(ctx: Context, query: str, filters: tuple[str, ...], limit: int, sort: str, after: str | None,
           username: str | None, export_path: Path | None, save_name: str | None, saved_name: str | None,
           with_cursor: bool, as_json: bool) -> None:
    """Find records by number, phrase (with or without diacritics) or filters; access rules apply."""
    service = SearchService(ctx.archive)
    try:
        caller = service.caller(username)
        if saved_name:
            request = service.saved_request(caller, saved_name, limit=limit)
        else:
            request = service.request(query, filters, limit=limit, sort=sort, after=after)
        if save_name:
            service.save_query(caller, save_name, query, filters, sort)
        if export_path is not None:
            count = service.export(caller, request, export_path)
            click.echo(f"Đã xuất {count} kết quả vào {export_path}." if ctx.lang == "vi"
                       else f"Exported {count} results to {export_path}.")
            return
        result = service.search(caller, request)
    except (SearchInputError, SearchError) as exc:
        _fail(ctx, exc)
        return
    if as_json:
        data = result_json(result)
        if with_cursor:
            data["next"] = encode_cursor(result.next_after) if len(result.hits) == request.size else None
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"{result.total} kết quả" if ctx.lang == "vi" else f"{result.total} results")
    for hit in result.hits:
        f = hit.fields
        click.echo(f"[{hit.doc_id}] {f.get('reference') or '—'}  {f.get('document_type') or ''}  "
                   f"{f.get('issued_date') or ''}  {f.get('summary') or f.get('original_filename') or ''}")
        for h in hit.highlights:
            click.echo(f"    tr. {h.page}: {h.text}")
    for name, values in result.facets.items():
        if values:
            click.echo(f"{name}: " + ", ".join(f"{v} ({n})" for v, n in values[:10]))


@main.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def reindex(ctx: Context, as_json: bool) -> None:
    """Rebuild the search index from the catalog (Elasticsearch: a new index, then an alias switch)."""
    try:
        count = SearchService(ctx.archive).reindex()
    except SearchError as exc:
        _fail(ctx, exc)
        return
    if as_json:
        click.echo(json.dumps({"indexed": count, "index": ctx.archive.index.name}))
    else:
        click.echo(f"Đã lập lại chỉ mục {count} tài liệu." if ctx.lang == "vi" else f"Reindexed {count} records.")
