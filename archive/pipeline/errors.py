"""How a step says it failed, and whether trying again could help."""

from __future__ import annotations

from dataclasses import dataclass

from archive.catalog.codes import EventType


@dataclass(frozen=True)
class FailedCheck:
    """The PREMIS event of the check that failed (e.g. ``vir`` for an infected file).

    It travels with the error because the step's own transaction is rolled back: the runner records
    it, with outcome failure, in the transaction that quarantines or reschedules the item.
    """

    event_type: EventType
    tool: tuple[str, str | None]
    detail: str


class StepError(Exception):
    """A step could not complete. ``permanent`` failures quarantine the item (the input itself is at
    fault: infected, corrupt, refused type); the others are retried with backoff, then left failed
    and retryable by hand. Both messages are shown to people, so both say what happened and what
    to do."""

    def __init__(self, code: str, vi: str, en: str, *, permanent: bool, check: FailedCheck | None = None) -> None:
        super().__init__(en)
        self.code, self.vi, self.en, self.permanent, self.check = code, vi, en, permanent, check


def transient(code: str, vi: str, en: str) -> StepError:
    return StepError(code, vi, en, permanent=False)


def permanent(code: str, vi: str, en: str, check: FailedCheck | None = None) -> StepError:
    return StepError(code, vi, en, permanent=True, check=check)
