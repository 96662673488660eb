"""Full-text and field search behind one small interface: tantivy or SQLite FTS5 embedded, Elasticsearch for services.

Knows nothing of the catalog or ingest; it indexes the documents it is given.
"""
