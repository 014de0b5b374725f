"""Optimistic locking under real concurrency: many threads save the same version of one
slot at once; exactly one wins, every other gets a conflict, and no save is lost silently.
Runs against SQLite (a file, so locking is real) and, via test_postgres.py, PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from web_helpers import slot_of

from planwatch.web import services
from planwatch.web.models import Slot

#: Writers racing for the same version.
WRITERS = 8


@pytest.mark.django_db(transaction=True)
def test_only_one_of_many_simultaneous_saves_wins(rnd, north):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    barrier = threading.Barrier(WRITERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def write(i: int) -> None:
        try:
            barrier.wait()
            services.save_draft(slot.pk, user=north, text=f"writer {i}", rag="", expected_version=0)
            result = f"saved {i}"
        except services.SlotConflict:
            result = "conflict"
        except Exception as exc:  # recorded so that the assertion shows it
            result = f"error {type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    saved = [o for o in outcomes if o.startswith("saved")]
    assert len(saved) == 1, outcomes
    assert outcomes.count("conflict") == WRITERS - 1, outcomes
    final = Slot.objects.get(pk=slot.pk)
    assert final.version == 1 and final.text == f"writer {saved[0].split()[1]}"
    assert final.history.filter(version=1).count() == 1


@pytest.mark.django_db(transaction=True)
def test_sequential_saves_each_build_on_the_last(rnd, north):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    version = 0
    for i in range(5):
        version = services.save_draft(
            slot.pk, user=north, text=f"edit {i}", rag="", expected_version=version
        ).version
    assert version == 5 and Slot.objects.get(pk=slot.pk).text == "edit 4"
