"""Tables of the store (SQLAlchemy 2 declarative, typed).

The audit log is append-only: migrations install triggers that refuse UPDATE
and DELETE on it, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dashboard.core.time import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base of every table."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    # Comma-separated 2-digit province codes (role "province").
    province_codes: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # 5-digit commune code (role "commune").
    commune_code: Mapped[str | None] = mapped_column(String(5), nullable=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Bumped whenever the account is disabled, re-scoped or given a new
    # password: a principal carrying an older stamp is refused at once.
    auth_version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    succeeded: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # The client's address ("" from the command line and in tests).
    client: Mapped[str] = mapped_column(
        String(64), nullable=False, default="", server_default=""
    )


class UserSession(Base):
    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Last interaction (idle timeout); None until the first one.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    client: Mapped[str] = mapped_column(
        String(64), nullable=False, default="", server_default=""
    )


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(16), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    object_type: Mapped[str] = mapped_column(String(64), nullable=False)
    object_id: Mapped[str] = mapped_column(String(64), nullable=False)
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")


class BoundaryLayer(Base):
    __tablename__ = "boundary_layers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    imported_by: Mapped[str] = mapped_column(String(64), nullable=False)
    source_name: Mapped[str] = mapped_column(String(255), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    n_features: Mapped[int] = mapped_column(Integer, nullable=False)
    n_matched: Mapped[int] = mapped_column(Integer, nullable=False)
    n_provinces: Mapped[int] = mapped_column(Integer, nullable=False)
    report: Mapped[str] = mapped_column(Text, nullable=False)
    # Folder (relative to the data directory) holding the layer's files.
    directory: Mapped[str] = mapped_column(String(255), nullable=False)


class StoredForecast(Base):
    """One ingested advisory (kept forever: the forecast history)."""

    __tablename__ = "forecasts"
    __table_args__ = (Index("ix_forecasts_storm_issued", "storm_id", "issued_utc"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    storm_id: Mapped[str] = mapped_column(String(64), nullable=False)
    storm_name: Mapped[str] = mapped_column(String(100), nullable=False)
    source: Mapped[str] = mapped_column(String(64), nullable=False)
    product: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    issued_utc: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    origin: Mapped[str] = mapped_column(String(500), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    is_drill: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    concerns_vietnam: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True
    )
    # The canonical model as JSON (dashboard.storms.model.Forecast.as_dict()).
    payload: Mapped[str] = mapped_column(Text, nullable=False)


class FeedStatus(Base):
    """Health of one configured feed: last attempt, last success, last error."""

    __tablename__ = "feed_status"

    feed: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    last_attempt_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True
    )
    last_success_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True
    )
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0
    )
    etag: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AppSetting(Base):
    """Installation-wide settings changed from the app (e.g. the drill clock)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
