"""Response plans and readiness (issue 4).

Small modules with one job each, plain typed functions taking
``(session, actor, ...)`` that authorise, validate, write and audit in the
caller's transaction; nothing here imports Streamlit.

* :mod:`~dashboard.plans.model` — vocabulary, errors, the priority score.
* :mod:`~dashboard.plans.templates` — the starter template, editing, CSV/YAML.
* :mod:`~dashboard.plans.profiles` — guessing a commune's profile.
* :mod:`~dashboard.plans.activation` — events, proposals, activation, deadline moves.
* :mod:`~dashboard.plans.tasks` — ticking, evidence, optimistic concurrency, history.
* :mod:`~dashboard.plans.photos` — photo evidence on disk.
* :mod:`~dashboard.plans.readiness` — the board, the national summary, progress.
* :mod:`~dashboard.plans.export` — CSV, XLSX, PDF checklist.
* :mod:`~dashboard.demo.plans` — demo plans for the Wipha drill.
"""

from dashboard.plans.model import EvidenceError, PlanError

__all__ = ["EvidenceError", "PlanError"]
