"""Choices for discovery fields: compare with the constants, never bare strings."""

from django.db import models


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# A job in one of these states will not change again.
FINISHED_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


class AutoAdd(models.TextChoices):
    OFF = "off", "Off (report only)"
    ADD = "add", "Add to monitoring"
    ADD_AND_TEMPLATE = "add_and_template", "Add and apply the matched template"
