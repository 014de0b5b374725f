"""Sign-in backend: Django's own, reading the user's role in the same query.

In: the user id stored in the session. Out: the user with their :class:`Profile`
already joined, so the role check every page makes costs no query of its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileBackend(ModelBackend):
    """:class:`ModelBackend` (passwords, ``is_active``) whose ``get_user`` joins the profile."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        user = model._default_manager.select_related("profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
