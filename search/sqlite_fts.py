"""Embedded search: SQLite FTS5 in one file of the data directory, no server to run.

Text is folded (``search.folding``) before it reaches FTS5 so accents and "đ" never decide a
match; filter terms live in an ordinary table joined inside the same query as the match.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from search.base import Hit, IndexedDocument, SearchError, SearchResult
from search.folding import fold

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (doc_id TEXT PRIMARY KEY, fields TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terms (doc_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (doc_id, name, value));
CREATE INDEX IF NOT EXISTS terms_by_value ON terms (name, value);
CREATE VIRTUAL TABLE IF NOT EXISTS fulltext USING fts5(doc_id UNINDEXED, folded, tokenize='unicode61');
"""


def _match_expression(query: str) -> str:
    """Turn free text into an FTS5 expression of quoted folded words, all required."""
    words = [w for w in fold(query).replace('"', " ").split() if any(c.isalnum() for c in w)]
    return " ".join(f'"{w}"' for w in words)


class SqliteFtsIndex:
    """One SQLite file; a lock serialises writers because SQLite allows one at a time anyway."""

    name = "sqlite-fts5"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def ensure(self) -> None:
        with self._lock, self._connect() as conn:
            conn.executescript(_SCHEMA)

    def put(self, document: IndexedDocument) -> None:
        with self._lock, self._connect() as conn:
            self._remove(conn, document.doc_id)
            conn.execute("INSERT INTO documents VALUES (?, ?)",
                         (document.doc_id, json.dumps(dict(document.fields), ensure_ascii=False)))
            conn.execute("INSERT INTO fulltext (doc_id, folded) VALUES (?, ?)", (document.doc_id, fold(document.text)))
            conn.executemany("INSERT OR IGNORE INTO terms VALUES (?, ?, ?)",
                             [(document.doc_id, name, value)
                              for name, values in document.terms.items() for value in values])

    @staticmethod
    def _remove(conn: sqlite3.Connection, doc_id: str) -> None:
        for table in ("documents", "terms", "fulltext"):
            conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))

    def delete(self, doc_id: str) -> None:
        with self._lock, self._connect() as conn:
            self._remove(conn, doc_id)

    def refresh(self) -> None:
        """Writes are visible once committed; nothing to do."""

    def search(self, query: str, allowed: Mapping[str, Sequence[str]], *, size: int = 20,
               offset: int = 0) -> SearchResult:
        where, params = [], []
        expression = _match_expression(query)
        if expression:
            where.append("d.doc_id IN (SELECT doc_id FROM fulltext WHERE fulltext MATCH ?)")
            params.append(expression)
        for name, values in allowed.items():
            if not values:
                return SearchResult(total=0, hits=[])
            marks = ",".join("?" * len(values))
            where.append(f"d.doc_id IN (SELECT doc_id FROM terms WHERE name = ? AND value IN ({marks}))")
            params.extend([name, *values])
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        rank = "(SELECT bm25(fulltext) FROM fulltext WHERE fulltext MATCH ? AND fulltext.doc_id = d.doc_id)" \
            if expression else "0"
        try:
            with self._connect() as conn:
                total = conn.execute(f"SELECT count(*) FROM documents d {clause}", params).fetchone()[0]
                rows = conn.execute(
                    f"SELECT d.doc_id, d.fields, {rank} AS r FROM documents d {clause} ORDER BY r, d.doc_id LIMIT ? OFFSET ?",
                    ([expression] if expression else []) + params + [size, offset]).fetchall()
        except sqlite3.Error as exc:
            raise SearchError(f"The embedded search index {self.path} could not answer ({exc}); "
                              "check that the file is readable and the disk is not full.") from exc
        return SearchResult(total=total, hits=[Hit(doc_id, -float(r or 0.0), json.loads(f)) for doc_id, f, r in rows])

    def health(self) -> str:
        try:
            with self._connect() as conn:
                count = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        except sqlite3.Error as exc:
            raise SearchError(f"The embedded search index {self.path} cannot be opened ({exc}).") from exc
        return f"SQLite FTS5 {sqlite3.sqlite_version}, {count} documents in {self.path}"

    def doc_ids(self) -> Iterator[str]:
        """Every indexed document id (for reconciliation with the catalog)."""
        try:
            with self._connect() as conn:
                rows = conn.execute("SELECT doc_id FROM documents ORDER BY doc_id").fetchall()
        except sqlite3.Error as exc:
            raise SearchError(f"The embedded search index {self.path} cannot be read ({exc}).") from exc
        return iter(row[0] for row in rows)
