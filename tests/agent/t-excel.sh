#!/bin/sh
# `plsync export --excel` (issue 12): the CSV for Excel on Windows. Checked
# on the bytes: a UTF-8 byte order mark first, every row ending CRLF, a
# newline inside a quoted cell kept as the cell holds it (LF, as RFC 4180
# allows), "García" as UTF-8, and formula cells still neutralised. Without
# --excel the export has no BOM and LF row ends, as before.
. "$(dirname "$0")/../lib.sh"
p() { "$PLSYNC" --dir "$T/lin" "$@"; }
hex() { od -An -tx1 -N3 "$1" | tr -d ' \n'; }

desc "a data dir with an accented name, a multi-line note and a formula title"
ok sh -c "'$PLSYNC' --dir '$T/lin' init --node LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='García' category=certified school=LIN01 >/dev/null"
nl='first line
second line'
desc "a PD entry with a two-line note"
ok p add pd_entry --id PD1 staff=E100 title="=cmd|' /C calc'!A0" type=workshop start=2026-09-14 hours=6 status=completed notes="$nl"

desc "export staff --excel"; ok p export staff --excel --out "$T/staff.csv"
is "$(hex "$T/staff.csv")" "efbbbf" "the file starts with the UTF-8 byte order mark"
is "$(perl -ne 'print "bad\n" unless /\r\n\z/' "$T/staff.csv")" "" "every line ends CRLF"
is "$(perl -0777 -ne 's/^\xef\xbb\xbf//; print scalar(() = /\r\n/g)' "$T/staff.csv")" "2" "two rows: the header and E100"
like "$(cat "$T/staff.csv")" 'E100,García,' "García is written as UTF-8"

desc "export pd_entry --excel to standard output"; ok sh -c "'$PLSYNC' --dir '$T/lin' export pd_entry --excel > '$T/pd.csv'"
is "$(hex "$T/pd.csv")" "efbbbf" "the BOM is there on standard output too"
is "$(perl -0777 -ne 'print scalar(() = /\r\n/g)' "$T/pd.csv")" "2" "rows end CRLF: the header and PD1"
is "$(perl -0777 -ne 'print /"first line\nsecond line"/ ? "kept" : "lost"' "$T/pd.csv")" "kept" \
	"the newline inside the quoted note stays a bare LF"
is "$(perl -0777 -ne 'print /[^\r]\n/ && !/[^\r]\n(?!second)/ ? "only" : "other"' "$T/pd.csv")" "only" \
	"and it is the only bare LF"
like "$(cat "$T/pd.csv")" "^PD1,E100,'=cmd" "the formula title is still neutralised"

desc "a second data dir imports the --excel staff file as it is"
ok sh -c "'$PLSYNC' --dir '$T/copy' init --node LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' export school | '$PLSYNC' --dir '$T/copy' import school - >/dev/null &&
	'$PLSYNC' --dir '$T/copy' import staff '$T/staff.csv' >/dev/null"
is "$("$PLSYNC" --dir "$T/copy" export staff --format jsonl)" "$(p export staff --format jsonl)" \
	"and gets the same staff, García included"

desc "export without --excel"; ok p export staff --out "$T/plain.csv"
is "$(hex "$T/plain.csv")" "69642c" "has no BOM (it starts with id,)"
is "$(perl -0777 -ne 'print /\r/ ? "cr" : "lf"' "$T/plain.csv")" "lf" "and LF row ends"
desc "--excel with --format jsonl is a usage error"; fails 2 p export staff --excel --format jsonl

done_testing
