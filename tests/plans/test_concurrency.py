"""Real threads ticking the same task: no lost update, on both back ends."""

from __future__ import annotations

import threading

from dashboard.core.errors import Conflict
from dashboard.plans.tasks import get_task, update_task
from tests.support.plans_helpers import (
    ADMIN,
    COMMUNE,
    DONG_CHAU,
    PROVINCE_33,
    make_setup,
)

THREADS = 6
ROUNDS = 4


def test_exactly_one_writer_wins_each_round(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    task_id = setup.task(ctx, DONG_CHAU, "note").id
    actors = [COMMUNE, PROVINCE_33, ADMIN]
    for round_no in range(ROUNDS):
        barrier = threading.Barrier(THREADS)
        outcomes: dict[int, object] = {}

        def work(i: int, round_no: int = round_no, barrier=barrier, outcomes=outcomes):
            actor = actors[i % len(actors)]
            with ctx.sessions() as s:
                version = get_task(s, actor, task_id).version
            note = f"round {round_no} thread {i}"
            barrier.wait()
            try:
                with ctx.transaction() as s:
                    update_task(
                        s, actor, task_id, version, status="in_progress", note=note
                    )
                outcomes[i] = note
            except Conflict as exc:
                outcomes[i] = exc

        threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [v for v in outcomes.values() if isinstance(v, str)]
        losers = [v for v in outcomes.values() if isinstance(v, Conflict)]
        assert len(outcomes) == THREADS
        assert len(winners) == 1, outcomes
        assert len(losers) == THREADS - 1
        with ctx.sessions() as s:
            final = get_task(s, ADMIN, task_id)
        assert final.evidence_note == winners[0]
        assert final.version == round_no + 2
        for loser in losers:
            assert loser.current["version"] >= round_no + 1
