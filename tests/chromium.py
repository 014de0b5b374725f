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
