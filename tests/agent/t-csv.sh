#!/bin/sh
# No CSV plsync writes is a spreadsheet formula (issue 9, D10). Records whose
# text starts with =, +, -, @ or a tab — "=cmd|' /C calc'!A0",
# +HYPERLINK(...), a school name =HYPERLINK(...), a staff name @SUM(...) —
# come out of `plsync export`, `plsync report --format csv` (the same
# renderer as plsync-district's) and `plsync transcript --format csv` with
# an apostrophe in front of the cell; plain numbers (-12) and plain text are
# written as they are. `plsync import` of the export takes the apostrophe
# off again: export | import elsewhere gives the same values, byte for byte.
. "$(dirname "$0")/../lib.sh"
p() { "$PLSYNC" --dir "$T/lin" "$@"; }
q() { "$PLSYNC" --dir "$T/copy" "$@"; }
# cell FILE LINE-PATTERN COLUMN: the COLUMNth cell (1-based) of the first line matching the pattern
cell() {
	perl -e 'my ($f, $pat, $col) = @ARGV; open my $h, "<", $f or die; while (<$h>) { next unless /$pat/; chomp; my @c;
		while (/\G(?:"((?:[^"]|"")*)"|([^,]*))(,|$)/g) { my ($v, $sep) = (defined $1 ? $1 : $2, $3);
			$v =~ s/""/"/g; push @c, $v; last if $sep eq "" } print $c[$col - 1], "\n"; last }' "$1" "$2" "$3"
}

calc="=cmd|' /C calc'!A0"
link='+HYPERLINK("http://evil.example/","click")'
tab=$(printf '\tTAB first')
desc "a data dir with hostile text in a school, a staff member, a goal and PD entries"
ok sh -c "'$PLSYNC' --dir '$T/lin' init --node LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name='=HYPERLINK(\"http://evil.example/\",\"Lincoln\")' level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='@SUM(A1:A9)' category=certified school=LIN01 >/dev/null"
plan=$(p add plan school=LIN01 year=2026-2027 mission="Every student")
goal=$(p add goal plan="$plan" number=1 statement="-2+3 reads" measure=x outcome_y1=a outcome_y2=b outcome_y3=c)
e1=$(p add pd_entry --id PD1 staff=E100 title="$calc" type=workshop start=2026-09-14 hours=6 status=completed goal="$goal")
e2=$(p add pd_entry --id PD2 staff=E100 title="$link" type=workshop start=2026-09-15 hours=2 status=completed notes="-12")
e3=$(p add pd_entry --id PD3 staff=E100 title="$tab" type=workshop start=2026-09-16 hours=1 status=completed notes="'=already quoted")
e4=$(p add pd_entry --id PD4 staff=E100 title="Fractions workshop" type=workshop start=2026-09-17 hours=1 status=completed notes="@home")
is "$e1 $e2 $e3 $e4" "PD1 PD2 PD3 PD4" "four entries are recorded"

desc "export pd_entry as CSV"; ok p export pd_entry --out "$T/pd.csv"
is "$(cell "$T/pd.csv" '^PD1,' 3)" "'$calc" "the =cmd title is written with an apostrophe in front"
is "$(cell "$T/pd.csv" '^PD2,' 3)" "'$link" "so is the +HYPERLINK title (inside its quotes)"
is "$(cell "$T/pd.csv" '^PD3,' 3)" "'$tab" "so is the title starting with a tab"
is "$(cell "$T/pd.csv" '^PD4,' 3)" "Fractions workshop" "a plain title is written as it is"
notes=$(head -1 "$T/pd.csv" | tr ',' '\n' | grep -n '^notes$' | cut -d: -f1)   # its column, by name
is "$(cell "$T/pd.csv" '^PD2,' "$notes")" "-12" "a plain negative number is written as it is"
is "$(cell "$T/pd.csv" '^PD3,' "$notes")" "''=already quoted" "an apostrophe before = gets one more"
is "$(cell "$T/pd.csv" '^PD4,' "$notes")" "'@home" "a note starting with @ gets one"
desc "export staff as CSV"; ok p export staff --out "$T/staff.csv"
is "$(cell "$T/staff.csv" '^E100,' 2)" "'@SUM(A1:A9)" "the @SUM staff name is neutralised"

desc "a second data dir gets the school, plan and goal (JSON Lines) and the staff (the CSV export)"
ok sh -c "'$PLSYNC' --dir '$T/copy' init --node LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' export school --format jsonl | '$PLSYNC' --dir '$T/copy' import school - --format jsonl >/dev/null &&
	'$PLSYNC' --dir '$T/copy' import staff '$T/staff.csv' >/dev/null &&
	'$PLSYNC' --dir '$T/lin' export plan --format jsonl | '$PLSYNC' --dir '$T/copy' import plan - --format jsonl >/dev/null &&
	'$PLSYNC' --dir '$T/lin' export goal --format jsonl | '$PLSYNC' --dir '$T/copy' import goal - --format jsonl >/dev/null"
desc "and the PD entries from the CSV export"; ok q import pd_entry "$T/pd.csv"
is "$(q export pd_entry --format jsonl)" "$(p export pd_entry --format jsonl)" \
	"export | import gives the same PD entries, value for value"
is "$(q export staff --format jsonl)" "$(p export staff --format jsonl)" "and the same staff"
is "$(q show PD1 --json | grep '"title"')" "    \"title\": \"=cmd|' /C calc'!A0\"," "the title has no apostrophe"
desc "exporting the copy"; ok q export pd_entry --out "$T/pd2.csv"
desc "gives the very same CSV"; ok cmp "$T/pd.csv" "$T/pd2.csv"

desc "the report as CSV"; ok p report --year 2026-2027 --for coordinator --format csv --today 2026-12-01 --title "@evil report" --out "$T/report.csv"
is "$(cell "$T/report.csv" '^LIN01,' 2)" "'=HYPERLINK(\"http://evil.example/\",\"Lincoln\")" \
	"the school name in the by-school table is neutralised"
is "$(cell "$T/report.csv" 'evil report' 1)" "'@evil report 2026-2027" "so is the title given with --title"
is "$(cell "$T/report.csv" "^LIN01,$plan," 5)" "'-2+3 reads" "a goal statement starting with - is neutralised"
is "$(cell "$T/report.csv" '^Hours,' 2)" "10.00" "numbers are written as they are"

desc "the transcript as CSV"; ok p transcript E100 --year 2026-2027 --format csv --out "$T/tr.csv"
is "$(cell "$T/tr.csv" ',PD1,' 7)" "'$calc" "the =cmd title is neutralised"
is "$(cell "$T/tr.csv" ',PD2,' 7)" "'$link" "and the +HYPERLINK one"
is "$(cell "$T/tr.csv" ',PD4,' 7)" "Fractions workshop" "a plain one is not"

done_testing
