"""Recording PREMIS 3 events: one call per preservation action, in the same transaction as its result.

Writing the event in the transaction that records the outcome (a state change, a new bitstream)
means an event exists exactly when its outcome does: a crash leaves neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import version

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.catalog import PreservationAgent, PreservationEvent
from archive.catalog.codes import AgentRole, AgentType, EventOutcome, EventType, ObjectRole
from archive.catalog.models import BatchItem, Bitstream, Document, Dossier, Representation

Linkable = Bitstream | Representation | Document | Dossier | BatchItem

LUUTRU_AGENT = ("luutru", version("luutru"))


def software_agent(session: Session, name: str, agent_version: str | None) -> PreservationAgent:
    """The agent row for one program at one version, created on first use.

    Two workers may meet a new version at the same moment; the insert runs in a savepoint so the
    loser of that race reads the winner's row instead of failing its whole step. The session keeps
    the rows it found (a pipeline session records ~10 events per file with a handful of programs,
    and each lookup also flushed what was pending).
    """
    known: dict[tuple[str, str | None], PreservationAgent] = session.info.setdefault("software_agents", {})
    agent = known.get((name, agent_version))
    if agent is not None and agent in session:
        return agent
    query = select(PreservationAgent).where(PreservationAgent.type == AgentType.SOFTWARE,
                                            PreservationAgent.name == name,
                                            PreservationAgent.version == agent_version)
    agent = session.scalars(query).first()
    if agent is None:
        try:
            with session.begin_nested():
                agent = PreservationAgent(type=AgentType.SOFTWARE, name=name, version=agent_version)
                session.add(agent)
        except IntegrityError:
            agent = session.scalars(query).one()
    known[(name, agent_version)] = agent
    return agent


def record_event(session: Session, event_type: EventType, outcome: EventOutcome, *,
                 detail: str, outcome_detail: str | None = None,
                 tool: tuple[str, str | None] = LUUTRU_AGENT,
                 sources: Iterable[Linkable] = (), outcomes: Iterable[Linkable] = ()) -> PreservationEvent:
    """Add one PREMIS event with its executing program and linked objects to ``session``."""
    event = PreservationEvent(event_type=event_type, outcome=outcome, event_detail=detail,
                              outcome_detail=outcome_detail)
    event.link_agent(software_agent(session, *tool), AgentRole.EXECUTING_PROGRAM)
    for obj in sources:
        event.link_object(obj, ObjectRole.SOURCE)
    for obj in outcomes:
        event.link_object(obj, ObjectRole.OUTCOME)
    session.add(event)
    return event
