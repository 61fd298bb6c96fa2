#!/bin/sh
# Refresh the catalogs after changing user-visible strings: extract every _() / N_() / ngettext()
# message of checkin/ and dashboard/ (babel.cfg), then add the new ones to each language's .po
# (checkin/locale/{fr,nl,de}/LC_MESSAGES/eventops.po) and drop the gone ones. Translate the new
# entries (empty, or marked fuzzy) and run tests/station/test_i18n.py: it fails while one lacks
# a translation. The .po files are read as they are at start: nothing to compile.
set -eu
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-$(dirname "$(command -v python3)")/pybabel}"
[ -x .venv/bin/pybabel ] && PYBABEL=.venv/bin/pybabel
pot="$(mktemp -d)/eventops.pot"
"$PYBABEL" extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o "$pot" checkin dashboard
for lang in fr nl de; do
    "$PYBABEL" update -i "$pot" -d checkin/locale -D eventops -l "$lang" -w 100 --ignore-obsolete
done
rm -f "$pot"
