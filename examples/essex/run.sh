#!/usr/bin/env bash
# Run the Essex example on the real open data: ingest, analyse, report.
#
#   examples/essex/run.sh [OUT] [SHARED_DATA]
#
# OUT defaults to ./examples-out; SHARED_DATA to ../shared/data (the real files
# described in its README.md: Home Office police recorded crime, data.police.uk
# street files and the offence lookups, all under the Open Government Licence v3.0).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-examples-out}"
DATA="${2:-${PLANWATCH_SHARED:-$HERE/../../../shared}/data}"
QUARTER="2023/24-Q4"

mkdir -p "$OUT"
cp "$HERE/plan.yaml" "$OUT/plan.yaml"

# Lookups first, so offence codes in the recorded-crime table are checked against them.
planwatch ingest offence-codes "$DATA/lookups/ho-offence-code-to-policeuk-category.csv" -p "$OUT"
planwatch ingest weights "$DATA/lookups/crime-severity-weights-policeuk-ons-code-join.csv" -p "$OUT"
# 22 years of recorded crime by offence group (every force: peer comparison), then 2017/18 by offence code.
planwatch ingest prc "$DATA/prc-force-offencegroup-quarterly-2002-2024.csv" -p "$OUT"
planwatch ingest prc "$DATA/prc-pfa-2017-18.csv" -p "$OUT"
# data.police.uk street files for Essex: 12 months, with August and September 2018 missing.
planwatch ingest police-uk "$DATA/police-uk-street/essex" -p "$OUT"

planwatch status -p "$OUT" || true
planwatch analyse --quarter "$QUARTER" -p "$OUT"
planwatch report --quarter "$QUARTER" -p "$OUT" "${@:3}"
