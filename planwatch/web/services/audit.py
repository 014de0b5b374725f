"""Who made a change: django-simple-history's attribution, shared by every service.

In: a row about to be saved and the account saving it (``None``: the system, e.g. a
command run by cron). Out: the row saved only when a value really changed, so the audit
history holds real changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Model


def attribute_change(obj: Model, user: User | None) -> None:
    """Tell django-simple-history who is making the next save of ``obj``."""
    obj._history_user = user  # type: ignore[attr-defined]


def save_if_changed(obj: Model, user: User | None, **values: Any) -> None:
    """Set ``values`` on ``obj`` and save it, only if it is new or one of them differs."""
    changed = obj.pk is None or any(getattr(obj, k) != v for k, v in values.items())
    if changed:
        for k, v in values.items():
            setattr(obj, k, v)
        attribute_change(obj, user)
        obj.save()


def sync_links(
    model: type[Model],
    owner: dict[str, Any],
    field: str,
    wanted: set[int],
    user: User | None,
) -> None:
    """Make the ``model`` rows of ``owner`` (e.g. ``{"user": u}``) point to exactly the ids in
    ``wanted`` through ``field`` (e.g. ``"department_id"``), each delete and add audited."""
    rows = model._default_manager.filter(**owner)
    for row in rows.exclude(**{f"{field}__in": wanted}):
        attribute_change(row, user)
        row.delete()
    have = set(rows.values_list(field, flat=True))
    for target in wanted - have:
        row = model(**owner, **{field: target})
        attribute_change(row, user)
        row.save()
