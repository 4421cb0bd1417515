#!/bin/sh
# Rebuilds inbox.mbox and Maildir/ from the single messages in eml/.
# Run from this directory; the result is committed, so tests need no script.
set -eu
rm -rf inbox.mbox Maildir
for f in eml/python-msg_10.eml eml/python-msg_33.eml not-a-message.txt eml/vigilo-serial-subject.eml; do
    printf 'From vigilo-fixture@example.invalid Mon Mar  2 12:00:00 2026\n' >> inbox.mbox
    # mboxrd quoting: body lines starting with (>*)From get one more '>'.
    sed -e 's/^\(>*From \)/>\1/' "$f" >> inbox.mbox
    printf '\n' >> inbox.mbox
done
mkdir -p Maildir/cur Maildir/new
cp eml/python-msg_07.eml 'Maildir/cur/1772445600.M1P100.vigilo:2,S'
cp eml/vigilo-udi-de.eml 'Maildir/cur/1772526900.M2P100.vigilo:2,RS'
cp eml/dovecot-010.eml 'Maildir/new/1772530000.M3P100.vigilo'
