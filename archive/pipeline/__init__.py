"""The ingest pipeline: an ordered list of small steps, each with one job, run per item.

The catalog is the source of truth for where an item is (its state), so any worker can resume any
item after a crash; queue messages only say "look at item N". See ``runner`` for the loop and
``steps`` for the steps.
"""
