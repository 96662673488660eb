"""One contract, three backends: the embedded tantivy and SQLite FTS5 indexes and the real Elasticsearch 9 agree.

The shared corpus's ground truth (30 ND 30 documents, page by page) is indexed once per backend;
every test below runs against both and asserts behaviour, not scores.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.base import IndexedDocument, SearchError, SearchIndex, SearchRequest, Visibility
from search.elastic import ElasticsearchIndex
from search.folding import fold
from search.sqlite_fts import SqliteFtsIndex
from search.tantivy_index import TantivyIndex
from tests.search.corpus import DOCUMENTS, OWNER, ROWS, counts, mode_of, unique_phrases

EVERYONE = Visibility.everything()
BACKENDS = ["tantivy", "sqlite", "elasticsearch"]

EXTRA = [  # hand-made records for ranking rules the corpus does not isolate
    IndexedDocument("x-hoa", ["Biên bản hòa giải tranh chấp đất đai tại xã"], {"summary": "Hòa giải"},
                    {"fonds": ["X"], "mode": ["01"]}),
    IndexedDocument("x-hoa2", ["Hóa đơn giá trị gia tăng tranh chấp đất đai tại xã"], {"summary": "Hóa đơn"},
                    {"fonds": ["X"], "mode": ["01"]}),
    IndexedDocument("x-near", ["Kế hoạch số hóa tài liệu lưu trữ của tỉnh"], {"summary": "Kế hoạch"},
                    {"fonds": ["Y"], "mode": ["01"]}),
    IndexedDocument("x-far", ["Báo cáo số lượng hóa chất, tài liệu và lưu trữ kho của tỉnh"], {"summary": "Báo cáo"},
                    {"fonds": ["Y"], "mode": ["01"]}),
]


def _make(kind: str, request: pytest.FixtureRequest, directory: Path) -> SearchIndex:
    if kind == "sqlite":
        return SqliteFtsIndex(directory / "search.sqlite")
    if kind == "tantivy":
        return TantivyIndex(directory / "search.tantivy")
    return ElasticsearchIndex(request.getfixturevalue("es_url"), prefix=f"test-{uuid.uuid4().hex[:12]}")


def _drop(index: SearchIndex) -> None:
    if isinstance(index, ElasticsearchIndex):
        index.drop()
    if isinstance(index, TantivyIndex):
        index.close()


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """The corpus plus EXTRA, bulk-indexed once per backend."""
    index = _make(request.param, request, tmp_path_factory.mktemp("search"))
    index.ensure()
    index.ensure()  # idempotent
    assert index.put_many(DOCUMENTS + EXTRA) == len(DOCUMENTS) + len(EXTRA)
    index.refresh()
    yield index
    _drop(index)


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    index = _make(request.param, request, tmp_path)
    index.ensure()
    yield index
    _drop(index)


def search(index: SearchIndex, text: str = "", visibility: Visibility = EVERYONE, **options: object):
    return index.search(SearchRequest(text, **options), visibility)  # type: ignore[arg-type]


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.doc_id for h in result.hits]


def corpus_only(**options: object) -> dict[str, object]:
    return {"filters": {**options.pop("filters", {}), "owner": sorted(OWNER.values())}, **options}  # type: ignore[dict-item]


# --- matching and ranking ---------------------------------------------------------------------------


def test_fold_strips_vietnamese_marks_and_d_stroke() -> None:
    assert fold("Quyết Định ĐẤT ĐAI Hỏa tốc") == "quyet dinh dat dai hoa toc"


@pytest.mark.parametrize("variant", [
    lambda r: r, str.lower, str.upper, lambda r: r.replace("/", " / ").replace("-", " - "),
    lambda r: "Số: " + r, lambda r: fold(r), lambda r: r.replace("/", " ").replace("-", " "),
])
def test_reference_lookup_is_hit_one(corpus: SearchIndex, variant) -> None:  # type: ignore[no-untyped-def]
    for row in ROWS:
        result = search(corpus, variant(row["so_ky_hieu"]))
        assert ids(result)[:1] == [row["id"]], (variant(row["so_ky_hieu"]), ids(result)[:3])


def test_unique_four_word_phrase_in_top_three_with_and_without_diacritics(corpus: SearchIndex) -> None:
    phrases = unique_phrases()
    assert len(phrases) == len(ROWS)
    for doc_id, words in phrases.items():
        for text in (" ".join(words), fold(" ".join(words)), f'"{fold(" ".join(words))}"'):
            assert doc_id in ids(search(corpus, text, size=3)), (doc_id, text)


def test_quoted_phrase_requires_adjacency(corpus: SearchIndex) -> None:
    assert set(ids(search(corpus, "so hoa tai lieu", filters={"fonds": ["Y"]}))) == {"x-near", "x-far"}
    assert ids(search(corpus, '"so hoa tai lieu"', filters={"fonds": ["Y"]})) == ["x-near"]


def test_phrases_of_two_three_and_four_words_stay_inside_their_field(empty: SearchIndex) -> None:
    """A phrase matches within the catalog fields or within the pages (across page breaks), never from
    the last catalog word into the first page word."""
    empty.put(IndexedDocument("p1", ["hóa tài liệu lưu trữ", "điện tử của tỉnh"], {"summary": "Kế hoạch số"},
                              {"mode": ["01"]}))
    empty.refresh()
    for found in ('"ke hoach"', '"ke hoach so"', '"hoa tai"', '"tai lieu luu tru"', '"luu tru dien tu"'):
        assert ids(search(empty, found)) == ["p1"], found
    for missing in ('"so hoa"', '"hoach so hoa"', '"tai luu"', '"hoa tai luu"'):
        assert search(empty, missing).total == 0, missing


def test_adjacent_syllables_rank_first(corpus: SearchIndex) -> None:
    """Syllable bigrams: "số hóa" as a word beats "số" and "hóa" apart."""
    assert ids(search(corpus, "so hoa tai lieu luu tru", filters={"fonds": ["Y"]})) == ["x-near", "x-far"]


def test_diacritics_insensitive_but_exact_accents_rank_first(corpus: SearchIndex) -> None:
    assert set(ids(search(corpus, "hoa", filters={"fonds": ["X"]}))) == {"x-hoa", "x-hoa2"}
    assert ids(search(corpus, "hòa tranh chấp", filters={"fonds": ["X"]})) == ["x-hoa", "x-hoa2"]
    assert ids(search(corpus, "hóa tranh chấp", filters={"fonds": ["X"]})) == ["x-hoa2", "x-hoa"]
    # đ folds to d: "dat dai" finds "đất đai"
    assert set(ids(search(corpus, "dat dai", filters={"fonds": ["X"]}))) == {"x-hoa", "x-hoa2"}


def test_prefix(corpus: SearchIndex) -> None:
    found = search(corpus, "Blockch*", **corpus_only())
    expected = {r["id"] for r in ROWS if "blockchain" in fold(" ".join(r["page_text"]))}
    assert expected and set(ids(search(corpus, "Blockch*", size=50, **corpus_only()))) == expected
    assert found.total == len(expected)


def test_bounded_fuzziness_on_long_words_only(corpus: SearchIndex) -> None:
    expected = {r["id"] for r in ROWS if "blockchain" in fold(" ".join(r["page_text"]))}
    assert set(ids(search(corpus, "blokchain", size=50))) == expected   # one edit on a long word
    assert search(corpus, "blkchain").total == 0                         # two edits: no
    assert search(corpus, "hxa", filters={"fonds": ["X"]}).total == 0     # short words are never fuzzy


def test_an_absurdly_long_word_is_answered_not_refused(corpus: SearchIndex) -> None:
    # Found by schemathesis: a 400-letter word once made a one-edit automaton the engine refused.
    assert search(corpus, "L" * 400).total == 0
    assert search(corpus, "quyet " + "dinh" * 100 + "*").total == 0


def test_every_catalog_field_is_searchable(corpus: SearchIndex) -> None:
    row = ROWS[0]
    for value in (row["signer_name"], row["summary"], row["parent_agency"], row["file"]):
        assert row["id"] in ids(search(corpus, value, size=30)), value


def test_hits_say_which_page_matched(corpus: SearchIndex) -> None:
    row = next(r for r in ROWS if r["pages"] >= 2)
    phrase = unique_phrases()[row["id"]]
    page = next(i for i, text in enumerate(row["page_text"], start=1) if " ".join(phrase) in " ".join(text.split()))
    hit = search(corpus, " ".join(phrase), size=3).hits[0]
    assert hit.doc_id == row["id"]
    assert hit.highlights[0].page == page
    assert "<mark>" in hit.highlights[0].text and hit.fields["reference"] == row["so_ky_hieu"]
    unaccented = search(corpus, fold(" ".join(phrase)), size=3).hits[0]
    assert [h.page for h in unaccented.highlights][:1] == [page]
    assert f"<mark>{phrase[0]}</mark>" in unaccented.highlights[0].text  # shown as written, accents kept


# --- filters, facets, sorting, pagination -------------------------------------------------------------


@pytest.mark.parametrize("facet", ["type", "agency", "year", "mode"])
def test_facets_agree_with_the_catalog(corpus: SearchIndex, facet: str) -> None:
    result = search(corpus, **corpus_only())
    assert result.total == len(ROWS)
    assert dict(result.facets[facet]) == counts(facet)
    values = [n for _, n in result.facets[facet]]
    assert values == sorted(values, reverse=True)


def test_filters_agree_with_the_catalog(corpus: SearchIndex) -> None:
    for name, key in (("type", "doc_type"), ("agency", "agency")):
        for value in {r[key] for r in ROWS}:
            expected = {r["id"] for r in ROWS if r[key] == value}
            assert set(ids(search(corpus, filters={name: [value]}, size=50))) == expected
    two_years = {r["id"] for r in ROWS if r["issued_date"][:4] in ("2023", "2024")}
    assert set(ids(search(corpus, filters={"year": ["2023", "2024"]}, size=50))) == two_years
    in_range = {r["id"] for r in ROWS if "2019-01-01" <= r["issued_date"] <= "2020-12-31"}
    assert set(ids(search(corpus, date_from="2019-01-01", date_to="2020-12-31", size=50))) == in_range
    narrowed = search(corpus, "chuyen doi so", filters={"type": ["Kế hoạch"], "mode": ["01"]}, size=50)
    assert narrowed.total == len(narrowed.hits) > 0
    assert {h.doc_id for h in narrowed.hits} <= {r["id"] for r in ROWS if r["doc_type"] == "Kế hoạch"
                                                  and mode_of(r) == "01"}
    assert dict(narrowed.facets["type"]) == {"Kế hoạch": narrowed.total}
    assert search(corpus, filters={"type": []}).total == 0


def test_sort_by_date(corpus: SearchIndex) -> None:
    newest = search(corpus, sort="date", size=50, **corpus_only())
    dates = [r["issued_date"] for r in sorted(ROWS, key=lambda r: r["issued_date"], reverse=True)]
    assert [h.fields["issued_date"] for h in newest.hits] == dates
    oldest = search(corpus, sort="date_asc", size=5, **corpus_only())
    assert [h.fields["issued_date"] for h in oldest.hits] == sorted(dates)[:5]


@pytest.mark.parametrize("sort", ["relevance", "date", "date_asc"])
def test_deep_pagination_has_no_duplicates(corpus: SearchIndex, sort: str) -> None:
    for text in ("", "chuyen doi so", "và"):
        first = search(corpus, text, sort=sort, size=4)
        seen, after = [], None
        while True:
            page = search(corpus, text, sort=sort, size=4, after=after, facets=())
            seen += ids(page)
            if len(page.hits) < 4:
                break
            after = page.next_after
        assert len(seen) == len(set(seen)) == first.total > 4, (text, sort)
        if sort == "relevance":
            scores = [h.score for h in search(corpus, text, size=100).hits]
            assert scores == sorted(scores, reverse=True)


# --- access inside the query ----------------------------------------------------------------------


def official_of(owner: str) -> Visibility:
    """What archive.access builds for an official: public, own agency's conditional, nothing else."""
    return Visibility(({"mode": ["01"]}, {"mode": ["02"], "owner": [owner]}))


def test_an_official_never_sees_another_agencys_restricted_records(corpus: SearchIndex) -> None:
    agency_a = OWNER["SỞ NỘI VỤ"]
    visibility = official_of(agency_a)
    allowed = {r["id"] for r in ROWS if visibility.allows(to_terms(r))}
    forbidden = {r["id"] for r in ROWS} - allowed
    assert forbidden and any(mode_of(r) == "02" and OWNER[r["agency"]] == agency_a for r in ROWS)
    everything = search(corpus, visibility=visibility, size=100, **corpus_only())
    assert set(ids(everything)) == allowed and everything.total == len(allowed)
    visible_rows = [r for r in ROWS if r["id"] in allowed]
    for facet in ("type", "agency", "year", "mode"):
        assert dict(everything.facets[facet]) == counts(facet, visible_rows)
    phrases = unique_phrases()
    for doc_id in forbidden:  # searched by its own words, number or signer, a forbidden record stays invisible
        row = next(r for r in ROWS if r["id"] == doc_id)
        for text in (" ".join(phrases[doc_id]), row["so_ky_hieu"], '"' + " ".join(phrases[doc_id]) + '"'):
            result = search(corpus, text, visibility=visibility, size=50)
            assert doc_id not in ids(result)
            assert result.total == len(result.hits) <= len(allowed)
            assert all(doc_id in allowed for doc_id in ids(result))
            assert all(" ".join(phrases[doc_id]) not in h.text.replace("<mark>", "").replace("</mark>", "")
                       for hit in result.hits for h in hit.highlights)
            for facet, values in result.facets.items():
                assert sum(n for _, n in values) <= result.total
    assert search(corpus, visibility=Visibility(())).total == 0
    grant = Visibility(({"mode": ["01"]}, {"record": [sorted(forbidden)[0]]}))
    assert sorted(forbidden)[0] in ids(search(corpus, visibility=grant, size=100))


def to_terms(row):  # type: ignore[no-untyped-def]
    return next(d.terms for d in DOCUMENTS if d.doc_id == row["id"])


# --- writing ----------------------------------------------------------------------------------------------


def test_replace_delete_and_rebuild(empty: SearchIndex) -> None:
    empty.put(IndexedDocument("d1", ["Kỷ yếu hội thảo về ngựa vằn"], {"summary": "QĐ"}, {"mode": ["01"]}))
    empty.put(IndexedDocument("d2", ["Công văn địa chính"], {"summary": "CV"}, {"mode": ["01"]}))
    empty.refresh()
    empty.put(IndexedDocument("d2", ["Báo cáo tổng kết"], {"summary": "BC"}, {"mode": ["01"]}))
    empty.refresh()
    assert search(empty, "dia chinh").total == 0
    assert ids(search(empty, "bao cao")) == ["d2"]
    empty.delete("d2")
    empty.delete("d2")  # deleting twice is harmless
    empty.refresh()
    assert ids(search(empty)) == ids(search(empty, "ngựa vằn")) == ["d1"]
    assert list(empty.doc_ids()) == ["d1"]   # what reconciliation with the catalog reads
    assert empty.rebuild(DOCUMENTS[:5]) == 5
    empty.refresh()
    assert search(empty).total == 5 and search(empty, "ngua van").total == 0
    assert sorted(empty.doc_ids()) == sorted(d.doc_id for d in DOCUMENTS[:5])
    assert empty.health()


def test_health_says_what_to_run(tmp_path: Path, es_url: str) -> None:
    """A missing index asks for `luutru init`; an index of another mapping version for `luutru reindex`."""
    fresh = SqliteFtsIndex(tmp_path / "fresh.sqlite")
    with pytest.raises(SearchError, match="luutru init"):
        fresh.health()
    fresh.ensure()
    fresh.put(DOCUMENTS[0])
    import sqlite3

    with sqlite3.connect(tmp_path / "fresh.sqlite") as conn:
        conn.execute("PRAGMA user_version = 1")
    with pytest.raises(SearchError, match="luutru reindex"):
        SqliteFtsIndex(tmp_path / "fresh.sqlite").health()
    fresh = SqliteFtsIndex(tmp_path / "fresh.sqlite")
    fresh.ensure()  # an older layout is dropped and recreated empty, ready for `luutru reindex`
    assert "0 documents" in fresh.health()

    old = ElasticsearchIndex(es_url, prefix=f"test-{uuid.uuid4().hex[:12]}")
    old.client.indices.create(index=old.index_name, mappings={"_meta": {"mapping_version": 1}})  # pre-alias layout
    try:
        with pytest.raises(SearchError, match="luutru reindex"):
            old.health()
        assert old.rebuild(DOCUMENTS[:3]) == 3
        old.refresh()
        assert "mapping v" in old.health() and search(old).total == 3
    finally:
        old.drop()


def test_quoted_phrases_need_the_words_side_by_side(empty: SearchIndex) -> None:
    """Phrases of one, two and more words; pairs of the phrase found apart are no match, nor is a phrase
    joining the catalog fields to the page text; the hit names the page of a 5-page record it is on."""
    five = ["Trang mở đầu về lưu trữ", "Hồ sơ nhân sự", "Danh mục tài liệu", "Đàn ngựa vằn sọc đen", "Phụ lục"]
    empty.put_many([
        IndexedDocument("p-near", ["Đề án số hóa tài liệu lưu trữ"], {"summary": "Đề án"}, {"mode": ["01"]}),
        IndexedDocument("p-apart", ["Số hóa dữ liệu; hóa tài chính công"], {"summary": "Báo cáo"}, {"mode": ["01"]}),
        IndexedDocument("p-edge", ["lưu trữ lịch sử"], {"summary": "Kế hoạch tài liệu"}, {"mode": ["01"]}),
        IndexedDocument("p-five", five, {"summary": "Kỷ yếu"}, {"mode": ["01"]}),
    ])
    empty.refresh()
    assert ids(search(empty, '"so hoa tai lieu"')) == ["p-near"]
    assert ids(search(empty, '"số hóa tài"')) == ["p-near"]          # "số hóa" and "hóa tài" apart do not make it
    assert set(ids(search(empty, '"so hoa"'))) == {"p-near", "p-apart"}
    assert set(ids(search(empty, '"hoa"'))) == {"p-near", "p-apart"}
    assert ids(search(empty, '"tai lieu luu tru"')) == ["p-near"]    # summary end + page start is no phrase
    assert ids(search(empty, '"ke hoach tai lieu"')) == ["p-edge"]   # inside the catalog fields
    hit = search(empty, '"ngua van soc den"').hits
    assert [h.doc_id for h in hit] == ["p-five"] and [p.page for p in hit[0].highlights] == [4]
    assert hit[0].highlights[0].text == "Đàn <mark>ngựa</mark> <mark>vằn</mark> <mark>sọc</mark> <mark>đen</mark>"
