"""The ``planwatch`` command line: thin commands over :mod:`planwatch.services`."""
