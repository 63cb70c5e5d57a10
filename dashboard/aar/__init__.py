"""After-action review: damage reported per commune against readiness when the wind came (issue 14, part 3).

* :mod:`.damage` — the damage/incident form per commune and storm event
  (validated, authorised, audited);
* :mod:`.review` — the per-commune comparison (exposure, readiness at the
  level-6 arrival, delegations on site, damage) and its CSV/XLSX export.
"""

from dashboard.aar.damage import (
    DamageError,
    DamageView,
    damage_reports,
    get_damage,
    record_damage,
)
from dashboard.aar.review import (
    AAR_COLUMNS,
    READY_THRESHOLD,
    after_action,
    latest_event,
    recent_events,
    summary,
    to_csv,
    to_xlsx,
)

__all__ = [
    "AAR_COLUMNS",
    "READY_THRESHOLD",
    "DamageError",
    "DamageView",
    "after_action",
    "damage_reports",
    "get_damage",
    "latest_event",
    "recent_events",
    "record_damage",
    "summary",
    "to_csv",
    "to_xlsx",
]
