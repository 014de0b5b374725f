"""Content-Security-Policy for every response.

In: a response. Out: the same response with a ``Content-Security-Policy`` header, unless
the view set its own (:data:`REPORT_POLICY` for a published report file). The app's pages,
the dashboard's charts included (planwatch.report.svg draws them with presentation
attributes, not ``style``), load scripts and styles only from the app's own static files:
no inline script, no inline style; other sites cannot frame them or receive their forms.
X-Content-Type-Options and Referrer-Policy come from Django's SecurityMiddleware (settings.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"

#: The app's own pages (MDN, "Content-Security-Policy"; OWASP Secure Headers Project).
#: ``data:`` images: none are used today, but charts may be embedded as data URIs.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: A published report file (planwatch's own HTML report): its stylesheet is inline and it
#: runs no script at all.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Add :data:`PAGE_POLICY` to every response that has no policy of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = PAGE_POLICY
        return response
