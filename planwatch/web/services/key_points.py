"""Analysts' key-point overrides, edited in the web app, with their history.

In: a round (its quarter), the key point's ``key``, what the analyst chose (pin, promote,
demote, suppress, reword, or none to remove the override), the new wording and a reason.
Out: the override written to the project's ``overrides.yaml`` through
:mod:`planwatch.services.overrides` (the file the analysis reads, written atomically), and
a :class:`~planwatch.web.models.KeyPointOverrideChange` row saying who changed what, when,
and what it was before. The override is recorded against the point's current evidence
(:func:`planwatch.narrative.overrides.override_for`), so a reword or suppression goes stale
by itself when the numbers change.

An analyst can also **add** a key point of their own to a priority
(:func:`add_key_point`): an ``add`` override, which has no generated sentence or numbers
behind it, so it is never stale and stays, every quarter, until it is removed. An added
point can be reworded or removed like the others.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from planwatch.errors import ConfigError, Location, NotFoundError
from planwatch.narrative.overrides import Action, Override, override_for
from planwatch.periods import parse_quarter
from planwatch.plan import load_plan
from planwatch.project import Project
from planwatch.services.overrides import load_overrides, put_override, save_overrides
from planwatch.web.models import KeyPointOverrideChange, Round
from planwatch.web.permissions import check_analyst

#: What an analyst can do to a generated key point from the web app ("" removes the override).
#: Adding a point of one's own is :func:`add_key_point` (it has no generated sentence).
EDITABLE_ACTIONS = ("pin", "promote", "demote", "suppress", "reword")
#: What can be done to an analyst's own (added) point: it has no generated sentence to
#: pin, promote, demote or suppress, so it is reworded or removed.
ADDED_ACTIONS = ("reword",)
#: How an added point's key starts; the rest is its priority and a counter (``added:p3-2``).
ADDED_PREFIX = "added:"


def _wording(text: str) -> str:
    text = text.strip()
    if not text:
        raise ConfigError(
            "a key point needs its wording",
            location=Location(field="text"),
            expected="the sentence to print",
        )
    return text


def add_key_point(
    round_id: int, *, priority: int, text: str, reason: str, user: User
) -> KeyPointOverrideChange:
    """Add the analyst's own key point ``text`` to priority ``priority``; audited."""
    check_analyst(user)
    rnd = Round.objects.get(pk=round_id)
    text = _wording(text)
    project = Project.at(settings.PROJECT_DIR)
    numbers = [p.number for p in load_plan(project.plan_path).priorities]
    if priority not in numbers:
        raise ConfigError(
            f"no priority {priority} in the plan",
            location=Location(field="priority"),
            expected="one of the plan's priorities: " + ", ".join(map(str, numbers)),
        )
    current = load_overrides(project.overrides_path)
    taken = {o.key for o in current}
    n = 1
    while f"{ADDED_PREFIX}p{priority}-{n}" in taken:
        n += 1
    key = f"{ADDED_PREFIX}p{priority}-{n}"
    with transaction.atomic():
        change = KeyPointOverrideChange.objects.create(
            quarter=rnd.quarter,
            key=key,
            sentence="",
            action="add",
            text=text,
            reason=reason.strip(),
            changed_by=user,
        )
        # The file last: if writing it fails, the history row is rolled back with it.
        put_override(
            project.overrides_path,
            Override(
                key=key, action="add", text=text, priority=priority, reason=reason.strip() or None
            ),
        )
    return change


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
    if before is not None and before.action == "add":
        return _change_added(
            rnd, before, current, action=action, text=text, reason=reason, user=user
        )
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


def _change_added(
    rnd: Round,
    before: Override,
    current: dict[str, Override],
    *,
    action: str,
    text: str,
    reason: str,
    user: User,
) -> KeyPointOverrideChange:
    """Reword (``action`` "reword") or remove (``action`` "") an analyst's own key point."""
    if action not in ("", *ADDED_ACTIONS):
        raise ConfigError(
            f"an analyst's own key point cannot be given the action '{action}'",
            location=Location(field="action"),
            expected="reword, or none to remove it",
        )
    project = Project.at(settings.PROJECT_DIR)
    with transaction.atomic():
        change = KeyPointOverrideChange.objects.create(
            quarter=rnd.quarter,
            key=before.key,
            sentence="",
            action="add" if action else "",
            text=text if action else "",
            reason=reason.strip(),
            previous_action="add",
            previous_text=before.text or "",
            changed_by=user,
        )
        if action:
            put_override(
                project.overrides_path, replace(before, text=text, reason=reason.strip() or None)
            )
        else:
            save_overrides(
                project.overrides_path, tuple(o for k, o in current.items() if k != before.key)
            )
    return change
