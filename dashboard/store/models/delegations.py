"""Tables of provincial delegations (issue 5), modelled on the ICS 204 assignment list.

A *delegation* is a provincial team sent to key communes for one storm event:
its leader is a ``province`` account who owns it; its *members* are contacts
(not necessarily users); the *communes* it covers each carry a planned arrival
and the commune's confirmation of the visit. On site the delegation records
*task verifications* of the commune's plan tasks (kept apart from the commune's
own task status) and raises *follow-up items* with an owner and a due time.
``version`` columns implement optimistic concurrency (SQLAlchemy's
``version_id_col``: an UPDATE names the version it read).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.core.time import UTCDateTime
from dashboard.store.models.core import Base

TZ = UTCDateTime()


class Delegation(Base):
    __tablename__ = "delegations"
    __table_args__ = (
        Index("ix_delegations_event_province", "event_id", "province_code"),
        Index("ix_delegations_leader", "leader_username"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("storm_events.id"), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    leader_username: Mapped[str] = mapped_column(String(64), nullable=False)
    leader_phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    instructions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    equipment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reporting_location: Mapped[str] = mapped_column(
        String(300), nullable=False, default=""
    )
    planned_departure_utc: Mapped[datetime] = mapped_column(TZ, nullable=False)
    planned_arrival_utc: Mapped[datetime] = mapped_column(TZ, nullable=False)
    planned_return_utc: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    # planned | en_route | on_site | returned | cancelled
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    cancel_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    departed_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    checked_out_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    findings: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DelegationMember(Base):
    __tablename__ = "delegation_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        ForeignKey("delegations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")


class DelegationCommune(Base):
    __tablename__ = "delegation_communes"
    __table_args__ = (
        UniqueConstraint("delegation_id", "commune_code", name="uq_delegation_commune"),
        Index("ix_delegation_communes_commune", "commune_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        ForeignKey("delegations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    planned_arrival_utc: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)


class TaskVerification(Base):
    """The delegation's finding on one plan task (the commune's status is untouched)."""

    __tablename__ = "delegation_task_verifications"
    __table_args__ = (
        UniqueConstraint(
            "delegation_id", "plan_task_id", name="uq_delegation_task_verification"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        ForeignKey("delegations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    plan_task_id: Mapped[int] = mapped_column(
        ForeignKey("plan_tasks.id"), nullable=False, index=True
    )
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    # verified | problem_found
    result: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    verified_by: Mapped[str] = mapped_column(String(64), nullable=False)
    verified_at: Mapped[datetime] = mapped_column(TZ, nullable=False)


class FollowUp(Base):
    """A finding or request raised by a delegation, to be closed by its owner."""

    __tablename__ = "delegation_followups"
    __table_args__ = (
        Index("ix_delegation_followups_province_status", "province_code", "status"),
        # A resend of the same draft (same author, same key) is stored once.
        Index(
            "uq_delegation_followups_client_key",
            "created_by",
            "client_key",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        ForeignKey("delegations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("storm_events.id"), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    owner: Mapped[str] = mapped_column(String(200), nullable=False)
    due_utc: Mapped[datetime] = mapped_column(TZ, nullable=False)
    # open | done
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="open")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    # The idempotency key the author's browser sent with the draft (or none).
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
