"""Provincial delegations sent to key communes, tracked against the storm.

* :mod:`.rules` — statuses, validation, coverage and safety warnings (pure);
* :mod:`.model` — the inputs the services take and the views they return;
* :mod:`.common` — loading, versions and authorization shared by the services;
* :mod:`.service` — create, change, cancel, depart, check in and out, confirm;
* :mod:`.verification` — delegations verifying the commune's plan tasks;
* :mod:`.followups` — follow-up items with an owner and a due time;
* :mod:`.reads` — one delegation, a province's, a commune's, coverage;
* :mod:`.text` — the Zalo/SMS summary and the one-page PDF assignment sheet.

Storm events are :mod:`dashboard.events`'. May import: store, auth, audit,
core, events, registry. Never streamlit.
"""

from dashboard.delegations.followups import (
    followups,
    open_followups,
    raise_followup,
    set_followup_status,
)
from dashboard.delegations.model import (
    CommuneView,
    DelegationDraft,
    DelegationView,
    FollowUpView,
    MemberInput,
    MemberView,
    PlanTaskInfo,
    StopInput,
    VerificationView,
)
from dashboard.delegations.reads import (
    can_manage,
    coverage,
    delegations_for_commune,
    get_delegation,
    leader_candidates,
    list_delegations,
)
from dashboard.delegations.rules import (
    STATUSES,
    TRANSITIONS,
    CoverageWarning,
    DelegationError,
    ExposedCommune,
    LeaderWindow,
    Stop,
    coverage_warnings,
    into_storm,
    leader_overlaps,
    normalise_phone,
    uncovered,
)
from dashboard.delegations.service import (
    cancel_delegation,
    check_in,
    check_out,
    confirm_visit,
    create_delegation,
    depart,
    ensure_event,
    record_findings,
    update_delegation,
)
from dashboard.delegations.verification import (
    tasks_to_verify,
    verifications,
    verify_task,
)
from dashboard.events import find_event

__all__ = [
    "STATUSES",
    "TRANSITIONS",
    "CommuneView",
    "CoverageWarning",
    "DelegationDraft",
    "DelegationError",
    "DelegationView",
    "ExposedCommune",
    "FollowUpView",
    "LeaderWindow",
    "MemberInput",
    "MemberView",
    "PlanTaskInfo",
    "Stop",
    "StopInput",
    "VerificationView",
    "can_manage",
    "cancel_delegation",
    "check_in",
    "check_out",
    "confirm_visit",
    "coverage",
    "coverage_warnings",
    "create_delegation",
    "delegations_for_commune",
    "depart",
    "ensure_event",
    "find_event",
    "followups",
    "get_delegation",
    "into_storm",
    "leader_candidates",
    "leader_overlaps",
    "list_delegations",
    "normalise_phone",
    "open_followups",
    "raise_followup",
    "record_findings",
    "set_followup_status",
    "tasks_to_verify",
    "uncovered",
    "update_delegation",
    "verifications",
    "verify_task",
]
