"""Analysts' key-point overrides, edited in the web app, with their history.

In: a round (its quarter), the key point's ``key``, what the analyst chose (pin, promote,
demote, suppress, reword, or none to remove the override), the new wording and a reason.
Out: the override written to the project's ``overrides.yaml`` through
:mod:`planwatch.services.overrides` (the file the analysis reads, written atomically), and
a :class:`~planwatch.web.models.KeyPointOverrideChange` row saying who changed what, when,
and what it was before. The override is recorded against the point's current evidence
(:func:`planwatch.narrative.overrides.override_for`), so a reword or suppression goes stale
by itself when the numbers change.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from planwatch.errors import ConfigError, Location, NotFoundError
from planwatch.narrative.overrides import Action, override_for
from planwatch.periods import parse_quarter
from planwatch.project import Project
from planwatch.services.overrides import load_overrides, put_override, save_overrides
from planwatch.web.models import KeyPointOverrideChange, Round
from planwatch.web.permissions import check_analyst

#: What an analyst can do to a generated key point from the web app ("" removes the override).
#: Adding a point of one's own stays in overrides.yaml (it has no generated sentence to start from).
EDITABLE_ACTIONS = ("pin", "promote", "demote", "suppress", "reword")


def set_key_point_override(
    round_id: int, key: str, *, action: str, text: str, reason: str, user: User
) -> KeyPointOverrideChange:
    """Set (or with ``action`` "" remove) the override of key point ``key``; audited."""
    from planwatch.services.analyse import run_analysis

    check_analyst(user)
    rnd = Round.objects.get(pk=round_id)
    if action not in ("", *EDITABLE_ACTIONS):
        raise ConfigError(
            f"unknown action '{action}'",
            location=Location(field="action"),
            expected=" | ".join(EDITABLE_ACTIONS) + ", or none",
        )
    text = text.strip()
    if action == "reword" and not text:
        raise ConfigError(
            "a reworded key point needs its new wording",
            location=Location(field="text"),
            expected="the sentence to print instead",
        )
    project = Project.at(settings.PROJECT_DIR)
    current = {o.key: o for o in load_overrides(project.overrides_path)}
    before = current.get(key)
    run = run_analysis(project, parse_quarter(rnd.quarter))
    point = next(
        (
            kp
            for pr in run.priorities
            for kp in (
                *pr.key_points,
                *pr.analyst_notes,
                *(k for m in pr.measures for k in m.key_points),
            )
            if kp.key == key
        ),
        None,
    )
    if point is None and not (action == "" and before is not None):
        raise NotFoundError(
            f"no key point '{key}' in the {rnd.quarter_label} analysis",
            location=Location(field="key"),
            expected="a key point listed on the page (the analysis may have changed: reload it)",
        )
    with transaction.atomic():
        change = KeyPointOverrideChange.objects.create(
            quarter=rnd.quarter,
            key=key,
            sentence=point.text if point is not None else (before.text or "") if before else "",
            action=action,
            text=text if action == "reword" else "",
            reason=reason.strip(),
            previous_action=before.action if before else "",
            previous_text=(before.text or "") if before else "",
            changed_by=user,
        )
        # The file last: if writing it fails, the history row is rolled back with it.
        if action and point is not None:
            put_override(
                project.overrides_path,
                override_for(
                    point,
                    cast(Action, action),  # checked against EDITABLE_ACTIONS above
                    text=text if action == "reword" else None,
                    reason=reason.strip() or None,
                ),
            )
        else:
            save_overrides(project.overrides_path, tuple(o for k, o in current.items() if k != key))
    return change
