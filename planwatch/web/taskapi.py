"""The tasks framework behind the web app's background jobs, chosen in this one place.

In: the installed Django. Out: :func:`task`, the jobs' states (:class:`TaskResultStatus`)
and the apps the framework needs installed. Django 6 has its own framework
(``django.tasks``); on Django 5.2, the newest for Python 3.11, the django-tasks backport
gives the same API. Either way a job is a row written by
django-tasks-db's ``DatabaseBackend`` and run by its ``db_worker``. ``settings.py`` reads
:data:`APPS`; ``tasks.py`` takes :func:`task` and the states from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import django

#: Django 6.0 is the first with the tasks framework built in.
BUILT_IN = django.VERSION >= (6, 0)
#: The apps to install: django-tasks-db (its job table and worker) and, on Django 5.2, the
#: backport itself (its system checks and signals).
APPS = ["django_tasks_db"] if BUILT_IN else ["django_tasks", "django_tasks_db"]

if TYPE_CHECKING or BUILT_IN:  # typed by django-stubs' django.tasks: the backport's API is the same
    from django.tasks import TaskResultStatus, task
else:
    from django_tasks import TaskResultStatus, task

__all__ = ["APPS", "BUILT_IN", "TaskResultStatus", "task"]
