"""Integrity of what the archive holds: fixity of every copy, replication, repair, reports.

``fixity`` re-hashes stored copies and repairs a bad one from a good one; ``replication`` keeps
the second location complete; ``schedule`` paces both (Celery beat, or the embedded worker);
``reports`` answers an auditor's questions from the catalog, the index and the stores.
"""
