"""Canonical spellings of force and offence-group names.

In: a name as a source file spells it (``Avon & Somerset``, ``City of London``,
``Miscellaneous crimes``). Out: the one spelling the store uses
(``Avon and Somerset``, ``London, City of``, ``Miscellaneous crimes against society``),
or ``None`` when the name is not known (the caller reports it with a suggestion).

The canonical force names are those of the Home Office police recorded crime
open-data tables by police force area (43 territorial forces of England and
Wales, British Transport Police and the national fraud reporting bodies).
"""

from __future__ import annotations

import re

#: Home Office PFA open-data table spellings (43 territorial forces, BTP, fraud bodies).
CANONICAL_FORCES: tuple[str, ...] = (
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "Cleveland",
    "Cumbria", "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys",
    "Essex", "Gloucestershire", "Greater Manchester", "Gwent", "Hampshire",
    "Hertfordshire", "Humberside", "Kent", "Lancashire", "Leicestershire",
    "Lincolnshire", "London, City of", "Merseyside", "Metropolitan Police", "Norfolk",
    "North Wales", "North Yorkshire", "Northamptonshire", "Northumbria",
    "Nottinghamshire", "South Wales", "South Yorkshire", "Staffordshire", "Suffolk",
    "Surrey", "Sussex", "Thames Valley", "Warwickshire", "West Mercia",
    "West Midlands", "West Yorkshire", "Wiltshire",
    "British Transport Police", "Action Fraud", "CIFAS", "UK Finance",
    "Financial Fraud Action UK",
)  # fmt: skip

#: The invented force areas of ``planwatch demo`` (listed in planwatch/demo/spec.py; a
#: test keeps the two in step): known here so the demo's files pass the normal checks.
DEMO_FORCES: tuple[str, ...] = ("Anyshire", "Northmoor", "Westvale", "Southcombe", "Eastmarsh")

#: Other spellings seen in published tables, keyed by their normalised form.
FORCE_ALIASES: dict[str, str] = {
    "city of london": "London, City of",
    "metropolitan police service": "Metropolitan Police",
    "metropolitan": "Metropolitan Police",
    "dyfed powys": "Dyfed-Powys",
    "btp": "British Transport Police",
}

#: Offence groups renamed between releases, keyed by their lower-case form.
GROUP_ALIASES: dict[str, str] = {
    "miscellaneous crimes": "Miscellaneous crimes against society",
}

_SPACES = re.compile(r"\s+")


def _normal(name: str) -> str:
    text = name.replace("&", " and ").replace("\u00a0", " ")
    return _SPACES.sub(" ", text).strip().lower()


_BY_NORMAL = {_normal(f): f for f in (*CANONICAL_FORCES, *DEMO_FORCES)}
_BY_NORMAL.update(FORCE_ALIASES)
for _suffix in (" police", " constabulary"):
    _BY_NORMAL.update(
        {k + _suffix: v for k, v in list(_BY_NORMAL.items()) if not k.endswith(_suffix)}
    )


def canonical_force(name: str) -> str | None:
    """The store's spelling of a force name, or ``None`` if the name is unknown."""
    return _BY_NORMAL.get(_normal(name))


def canonical_group(name: str) -> str:
    """The store's spelling of an offence group (unknown groups are kept as given)."""
    cleaned = _SPACES.sub(" ", name).strip()
    return GROUP_ALIASES.get(cleaned.lower(), cleaned)
