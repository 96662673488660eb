"""How a step says it failed, and whether trying again could help."""

from __future__ import annotations


class StepError(Exception):
    """A step could not complete. ``permanent`` failures quarantine the item (the input itself is at
    fault: infected, corrupt, refused type); the others are retried with backoff, then left failed
    and retryable by hand. Both messages are shown to people, so both say what happened and what
    to do."""

    def __init__(self, code: str, vi: str, en: str, *, permanent: bool) -> None:
        super().__init__(en)
        self.code, self.vi, self.en, self.permanent = code, vi, en, permanent


def transient(code: str, vi: str, en: str) -> StepError:
    return StepError(code, vi, en, permanent=False)


def permanent(code: str, vi: str, en: str) -> StepError:
    return StepError(code, vi, en, permanent=True)
