"""The province situation report: built from the same services the pages use,
rendered as PDF, XLSX and chat text.
"""

from dashboard.reports.sitrep.build import (
    build_sitrep,
)
from dashboard.reports.sitrep.format import (
    percent,
    utc_time,
    vn_time,
)
from dashboard.reports.sitrep.model import (
    DELEGATION_STATUSES,
    TEXT_LIMIT,
    TOP_EXPOSED,
    TOP_OVERDUE,
    CommuneReadiness,
    DelegationLine,
    ExposedCommune,
    ForecastUsed,
    RequestLine,
    Sitrep,
)
from dashboard.reports.sitrep.pdf import (
    sitrep_pdf,
)
from dashboard.reports.sitrep.text import (
    sitrep_text,
)
from dashboard.reports.sitrep.xlsx import (
    SHEETS,
    sitrep_xlsx,
)

__all__ = [
    "DELEGATION_STATUSES",
    "SHEETS",
    "TEXT_LIMIT",
    "TOP_EXPOSED",
    "TOP_OVERDUE",
    "CommuneReadiness",
    "DelegationLine",
    "ExposedCommune",
    "ForecastUsed",
    "RequestLine",
    "Sitrep",
    "build_sitrep",
    "percent",
    "sitrep_pdf",
    "sitrep_text",
    "sitrep_xlsx",
    "utc_time",
    "vn_time",
]
