"""WSGI entry point (gunicorn ``planwatch.web.wsgi:application``).

Each worker imports the analysis and report code as it starts, before it takes a request:
the owner's editor and the dashboard read the prepared analysis, and the first of them in
a fresh worker would otherwise wait a second or more for these imports (seen as the
editor's slowest requests in benchmarks/bench_web.py).
"""

from __future__ import annotations

import os
from contextlib import suppress

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planwatch.web.settings")
application = get_wsgi_application()

with suppress(ImportError):  # the web app alone, without planwatch's report step
    import planwatch.report.build
    import planwatch.report.view
    import planwatch.services.analyse  # noqa: F401
