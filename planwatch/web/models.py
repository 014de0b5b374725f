"""The commentary workflow's tables.

In: plan data imported from ``plan.yaml`` and what people type. Out: rows, every
change to which is kept by django-simple-history (who and when).

- :class:`Department`, :class:`Priority`, :class:`Commitment`, :class:`Ownership` mirror the plan.
- :class:`Profile` gives a user a role; :class:`Membership` puts an owner in a department.
- :class:`Round` is one quarter's reporting round; :class:`Slot` is one commitment's
  commentary for one owning department in that round, with an optimistic-locking ``version``.
- :class:`PublishedVersion` freezes the approved commentary of a round when it is published.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from simple_history import register
from simple_history.models import HistoricalRecords

from planwatch.plan.commentary import MAX_COMMENTARY_CHARS

#: Longest reason an analyst may give when returning commentary.
MAX_REASON_CHARS = 2_000


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    OWNER = "owner", "Commitment owner"
    READER = "reader", "Reader"


class SlotState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"


class RoundState(models.TextChoices):
    OPEN = "open", "Open"
    PUBLISHED = "published", "Published"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    QUEUED = "queued", "Waiting to be built"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


#: Report states in which the background job has still to finish (the page refreshes).
REPORT_IN_PROGRESS = (ReportStatus.QUEUED, ReportStatus.BUILDING)


class RagDefinition(models.Model):
    """What one RAG status means, from the plan (``rag:`` in plan.yaml), for the editor."""

    status = models.CharField(max_length=8, choices=Rag.choices, unique=True)
    meaning = models.TextField()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.meaning}"


class Department(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Priority(models.Model):
    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=300)
    objective = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("number",)
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Commitment(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="commitments")
    text = models.TextField()
    title = models.CharField(
        max_length=120, blank=True, help_text="Short name from the plan; blank: the text is shown"
    )
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = (
            "priority__number",
            "position",
        )

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What a person reads for this commitment: its short title, else its text."""
        return commitment_label(self.title, self.text)


def commitment_label(title: str, text: str) -> str:
    """A commitment's words for lists, headings and emails (never its id)."""
    return title or text


class Ownership(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="ownerships")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="ownerships")
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["commitment", "department"], name="one_ownership"),
        )


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.READER)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["user", "department"], name="one_membership"),
        )


class Round(models.Model):
    quarter = models.CharField(
        max_length=16, unique=True, help_text="Quarter slug, e.g. 2023-24-Q1"
    )
    quarter_label = models.CharField(max_length=16)
    fy_start = models.PositiveIntegerField()
    q = models.PositiveSmallIntegerField()
    deadline = models.DateField()
    state = models.CharField(max_length=16, choices=RoundState.choices, default=RoundState.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Who must sign the round off before it is published (optional)",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = (
            "-fy_start",
            "-q",
        )

    def __str__(self) -> str:
        return self.quarter_label

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN

    @property
    def awaits_sign_off(self) -> bool:
        return self.approver_id is not None and self.signed_off_at is None


class Slot(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="slots")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="slots")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="slots")
    state = models.CharField(
        max_length=16, choices=SlotState.choices, default=SlotState.NOT_STARTED
    )
    text = models.TextField(blank=True, max_length=MAX_COMMENTARY_CHARS)
    rag = models.CharField(max_length=8, choices=Rag.choices, blank=True)
    version = models.PositiveIntegerField(default=0)
    return_reason = models.TextField(blank=True, max_length=MAX_REASON_CHARS)
    edited_from = models.TextField(
        blank=True,
        max_length=MAX_COMMENTARY_CHARS,
        help_text="The owner's submitted text, when an analyst has since edited it",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = (
            "commitment__priority__number",
            "commitment__position",
            "department__name",
        )
        constraints = (
            models.UniqueConstraint(fields=["round", "commitment", "department"], name="one_slot"),
        )
        indexes = (
            models.Index(fields=["round", "department"]),
            models.Index(fields=["round", "state"]),
        )

    def __str__(self) -> str:
        return f"{self.round.quarter_label}: {self.commitment.label} ({self.department.name})"

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def was_returned(self) -> bool:
        return self.state == SlotState.DRAFT and bool(self.return_reason)

    @property
    def commitment_label(self) -> str:
        return self.commitment.label


class PublishedVersion(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    commentary = models.JSONField(
        help_text="The approved commentary, as planwatch.plan.commentary.Commentary JSON"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    published_at = models.DateTimeField(auto_now_add=True)
    superseded = models.BooleanField(default=False)
    report_status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    report_message = models.TextField(blank=True)
    report_file = models.CharField(max_length=500, blank=True, help_text="Path under MEDIA_ROOT")
    report_progress = models.PositiveSmallIntegerField(
        default=0, help_text="How far the background job building the report has got, in per cent"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = (
            "-published_at",
            "-number",
        )
        constraints = (
            models.UniqueConstraint(fields=["round", "number"], name="one_version_number"),
        )

    def __str__(self) -> str:
        return f"{self.round.quarter_label} version {self.number}"

    @property
    def report_in_progress(self) -> bool:
        return self.report_status in REPORT_IN_PROGRESS


class EmailKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    PASSWORD_RESET = "password_reset", "Password reset"
    RETURNED = "returned", "Returned"
    APPROVED = "approved", "Approved"
    EDITED = "edited", "Edited by an analyst"
    PUBLISHED = "published", "Published"
    REMINDER = "reminder", "Reminder"
    SIGN_OFF = "sign_off", "Sign-off requested"


class SentEmail(models.Model):
    """Every email the app sends, as sent: part of the audit history of the slot, round or
    account it concerns (rows are only ever added)."""

    kind = models.CharField(max_length=32, choices=EmailKind.choices)
    recipients = models.TextField(help_text="Addresses, one a line")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, null=True, related_name="emails")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, null=True, related_name="emails")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="emails"
    )

    class Meta:
        ordering = ("-sent_at", "-pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class SignInUnlock(models.Model):
    """An analyst lifted a sign-in lock-out (planwatch.web.signin): part of the account's
    history (rows are only ever added)."""

    username = models.CharField(max_length=150, help_text="As typed at sign-in")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unlocked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-unlocked_at", "-pk")

    def __str__(self) -> str:
        return f"{self.username} unlocked by {self.unlocked_by}"


class KeyPointOverrideChange(models.Model):
    """One change an analyst made in the web app to a key point's override (the override
    itself lives in the project's overrides.yaml, which the analysis reads): who changed
    what, when, and what it was before. Rows are only ever added."""

    quarter = models.CharField(max_length=16, help_text="The round's quarter slug it was made in")
    key = models.CharField(max_length=300, help_text="KeyPoint.key")
    sentence = models.TextField(help_text="The generated sentence when the change was made")
    action = models.CharField(max_length=16, blank=True, help_text="Blank: the override removed")
    text = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    previous_action = models.CharField(max_length=16, blank=True)
    previous_text = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-changed_at", "-pk")

    def __str__(self) -> str:
        return f"{self.key}: {self.previous_action or 'none'} -> {self.action or 'none'}"


register(get_user_model(), app="planwatch.web", table_name="web_historicaluser")
