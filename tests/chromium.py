"""How the browser tests start Debian's Chromium (shared by tests/report and tests/web).

Headless as root, with no background networking: the machines here reach only package
registries, and Chromium's own update/sync/metrics connections would be refused many at a time.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason: str) -> None:
    """Skip on a developer's machine without the part; fail in CI (CI=true), where
    .ci/run installs it, so that a missing install can never pass as a skipped test."""
    import os

    import pytest

    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run must provide it)")
    pytest.skip(reason)
