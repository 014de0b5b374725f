"""Every write the web app makes, split by what it serves.

- :mod:`~planwatch.web.services.plan_import`: departments, priorities and commitments from plan.yaml;
- :mod:`~planwatch.web.services.users`: accounts, roles and departments, sign-in unlocks;
- :mod:`~planwatch.web.services.rounds`: rounds, and the slots owners write and analysts review;
- :mod:`~planwatch.web.services.reminders`: emails chasing outstanding commentary;
- :mod:`~planwatch.web.services.publishing`: freezing approved commentary as a version;
- :mod:`~planwatch.web.services.key_points`: analysts' key-point overrides, with their history.

In: the account acting (a typed :class:`~django.contrib.auth.models.User`), the object to
change and what was typed. Out: the changed rows, or a
:class:`~planwatch.errors.PlanwatchError` saying what was wrong (nothing is written then).
Each function runs in one transaction and checks permissions itself. The names below are
the package's interface; callers write ``services.save_draft`` whichever module holds it.
"""

from planwatch.web.services.audit import attribute_change
from planwatch.web.services.key_points import (
    EDITABLE_ACTIONS,
    add_key_point,
    set_key_point_override,
)
from planwatch.web.services.plan_import import ImportSummary, import_plan
from planwatch.web.services.publishing import (
    NOT_YET_APPROVED,
    Unapproved,
    approved_commentary,
    name_approver,
    publish,
    set_report_result,
    sign_off,
    start_revision,
)
from planwatch.web.services.reminders import Reminders, send_reminders
from planwatch.web.services.rounds import (
    SlotConflict,
    analyst_edit,
    approve,
    change_deadline,
    clean_rag,
    clean_text,
    open_round,
    return_slot,
    save_and_submit,
    save_draft,
    submit,
    withdraw,
)
from planwatch.web.services.users import create_user, set_user, unlock_sign_in, update_user

__all__ = [
    "EDITABLE_ACTIONS",
    "NOT_YET_APPROVED",
    "ImportSummary",
    "Reminders",
    "SlotConflict",
    "Unapproved",
    "add_key_point",
    "analyst_edit",
    "approve",
    "approved_commentary",
    "attribute_change",
    "change_deadline",
    "clean_rag",
    "clean_text",
    "create_user",
    "import_plan",
    "name_approver",
    "open_round",
    "publish",
    "return_slot",
    "save_and_submit",
    "save_draft",
    "send_reminders",
    "set_key_point_override",
    "set_report_result",
    "set_user",
    "sign_off",
    "start_revision",
    "submit",
    "unlock_sign_in",
    "update_user",
    "withdraw",
]
