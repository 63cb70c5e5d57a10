"""Settings read from the environment.

``DASHBOARD_DATA_DIR``
    Folder for the SQLite store, imported boundaries and uploads
    (default: ``var/`` in the checkout, git-ignored).
``DASHBOARD_DATABASE_URL``
    SQLAlchemy URL; default is a SQLite file in the data directory. Set a
    ``postgresql+psycopg://`` URL so several app servers share one store.
``DASHBOARD_DEMO``
    ``1`` seeds and allows the demo accounts (``dashboard run --demo``, as
    ``scripts/run.sh`` does); ``0`` (the default, a real installation)
    refuses every demo account.
``DASHBOARD_SECRET_KEY``
    Key that signs session cookies. When unset, a random key is generated once
    and kept in ``<data dir>/secret_key`` (mode 600), never in the repository.
``DASHBOARD_PUBLIC_URL``
    The address users reach the app at, for links in CAP alerts and the Atom
    feed (default ``http://localhost:8501``).
``DASHBOARD_CAP_SENDER``
    The CAP ``sender`` of the alerts this installation publishes (default
    ``vn-storm-dashboard``; no spaces or commas).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "var"


def _truthy(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Runtime settings of one app server or command."""

    data_dir: Path
    database_url: str
    demo_mode: bool
    #: The address users reach the app at (links in CAP alerts and feeds).
    public_url: str = "http://localhost:8501"
    #: The CAP ``sender`` of published alerts (no spaces or commas).
    cap_sender: str = "vn-storm-dashboard"

    @property
    def boundaries_dir(self) -> Path:
        return self.data_dir / "boundaries"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def secret_key(self) -> str:
        """Return the cookie-signing key, creating one on first use."""
        env = os.environ.get("DASHBOARD_SECRET_KEY")
        if env:
            return env
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


def load_settings() -> Settings:
    """Read settings from the environment."""
    data_dir = Path(os.environ.get("DASHBOARD_DATA_DIR") or DEFAULT_DATA_DIR)
    data_dir = data_dir.expanduser().resolve()
    url = (
        os.environ.get("DASHBOARD_DATABASE_URL")
        or f"sqlite:///{data_dir / 'dashboard.db'}"
    )
    demo = _truthy(os.environ.get("DASHBOARD_DEMO"), default=False)
    return Settings(
        data_dir=data_dir,
        database_url=url,
        demo_mode=demo,
        public_url=(
            os.environ.get("DASHBOARD_PUBLIC_URL") or "http://localhost:8501"
        ).rstrip("/"),
        cap_sender=os.environ.get("DASHBOARD_CAP_SENDER") or "vn-storm-dashboard",
    )
