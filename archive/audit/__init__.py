"""The tamper-evident audit log: who did what, when, from where, to which object.

``append`` (in the caller's transaction) or ``record`` (a transaction of its own) add an entry;
``verify_log`` recomputes the hash chain and checks it against the signed checkpoints kept in
object storage; ``export_log`` writes what an auditor needs to check the log with standard tools.
Actions are dotted names: ``ingest.submit``, ``batch.retry``, ``fixity.failure``, ``fixity.repair``,
``fixity.unrecoverable``, ``replication.copy``, ``config.init``, ``audit.export`` …
"""

from archive.audit.checkpoints import verify_log, write_checkpoint
from archive.audit.export import export_log
from archive.audit.log import SYSTEM_ACTOR, ChainReport, Problem, append, cli_actor, record

__all__ = ["SYSTEM_ACTOR", "ChainReport", "Problem", "append", "cli_actor", "export_log", "record", "verify_log",
           "write_checkpoint"]
