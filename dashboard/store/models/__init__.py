"""Every table of the store, one module per feature, all on one ``Base``.

Importing this package registers every table on ``Base.metadata``, which is
what Alembic compares the migrations against (see the drift test).
"""

from dashboard.store.models import aar, alerts, delegations, feedback, outreach, plans
from dashboard.store.models.core import Base

__all__ = ["Base", "aar", "alerts", "delegations", "feedback", "outreach", "plans"]
