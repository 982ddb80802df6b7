#!/bin/sh
# The board report says what it does not know (issue 11, item 8). LIN01
# records PL this school year; WAS02, its laptop's clock 400 days behind,
# made all its ops before the year began (its push arrives today); DISTRICT
# records a third school, OAK03, that has never sent anything. After the
# merge, `plsync-district report` in html, md, csv and json has a coverage
# table (last push, last merged op, days since) and warns of WAS02 (no data
# in the year) and OAK03 (nothing received), not of LIN01; `plsync report`
# on a school's own store does the same from its store. git fsck --strict.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"

desc "the clock shim builds"; ok cc -shared -fPIC -o "$T/shift.so" "$top/tests/audit/clockshift.c" -ldl
# WAS02's laptop is 400 days behind (the sanitizer runtime need not come first for this)
behind() { LD_PRELOAD="$T/shift.so" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	PLSYNC_TEST_SHIFT=-34560000 "$@"; }
today=$(date -u +%F)
y=${today%%-*} m=$(date -u +%m)
if [ "${m#0}" -ge 7 ]; then year="$y-$((y + 1))"; from="$y-07-01"; else year="$((y - 1))-$y"; from="$((y - 1))-07-01"; fi
rep() { district report "$R" --year "$year" --today "$today" --for coordinator "$@"; }

desc "the district repository and the DISTRICT and LIN01 agents are set up"
ok district_init "" DISTRICT LIN01
desc "WAS02's agent is set up, its clock 400 days behind"
ok behind "$PLSYNC" --dir "$T/was" init --node WAS02 --user 'Wes Park <wes@washington.example>' --remote "$R"

desc "LIN01 records its school, a teacher and a PD entry completed today"; ok lin_school
ok a add pd_entry staff=E100 title="Fractions workshop" type=workshop hours=6 status=completed start="$today"
desc "LIN01 syncs"; ok a sync
desc "WAS02 records its school and a teacher (stamped 400 days ago) and syncs"
ok behind sh -c "'$PLSYNC' --dir '$T/was' add school --id WAS02 code=WAS02 name=Washington >/dev/null &&
	'$PLSYNC' --dir '$T/was' add staff --id E200 name='Wes Park' category=certified school=WAS02 >/dev/null &&
	'$PLSYNC' --dir '$T/was' sync"
desc "DISTRICT records OAK03, a school that has sent nothing, and syncs"
ok d add school --id OAK03 code=OAK03 name='Oak <Ridge> & Co'
ok d sync
desc "the district merges the three"; ok district merge "$R"
desc "WAS02's ops are older than the year"
ok sh -c "'$PLSYNC' --dir '$T/was' log WAS02 --json > '$T/wlog.json'"
like "$(pj '$j->[0]{time}' < "$T/wlog.json")" "^[0-9]{4}-" "(its op has a time)"
is "$(pj "(\$j->[0]{time} lt '$from') ? 'before' : 'in'" < "$T/wlog.json")" "before" "WAS02's op is dated before $from"

# --- json ---
desc "the district report is written as json"; ok rep --format json --out "$T/r.json"
is "$(pj 'join " ", map { "$_->{school}=$_->{status}" } @{$j->{warnings}}' < "$T/r.json")" \
	"OAK03=nothing received WAS02=no data in the year" "json: warnings for OAK03 and WAS02, none for LIN01"
cov='my ($t) = grep { $_->{id} eq "coverage" } @{$j->{tables}}; my %c; my @ids = map { $_->{id} } @{$t->{columns}};
	for my $r (@{$t->{rows}}) { my %h; @h{@ids} = @$r; $c{$r->[0]} = \%h } '
is "$(pj "$cov"' join " ", map { $c{$_}{status} } qw(LIN01 WAS02 OAK03)' < "$T/r.json")" \
	"ok no data in the year nothing received" "json: the coverage table's status per school"
is "$(pj "$cov"' join " ", map { $c{$_}{merged_seq} // "null" } qw(LIN01 WAS02 OAK03)' < "$T/r.json")" "3 2 0" \
	"json: the last merged op of each (LIN01: school, teacher, entry; WAS02: school, teacher; OAK03: none)"
is "$(pj "$cov"' substr($c{LIN01}{last_push}, 0, 10)' < "$T/r.json")" "$today" "json: LIN01's last push is today"
is "$(pj "$cov"' substr($c{WAS02}{last_push}, 0, 10) . " " . $c{WAS02}{days_since}' < "$T/r.json")" "$today 0" \
	"json: WAS02's push arrived today (0 days since)"
is "$(pj "$cov"' ($c{WAS02}{merged_at} lt "'"$from"'") ? "before" : "in"' < "$T/r.json")" "before" \
	"json: but its last merged op is from before the year"
is "$(pj "$cov"' defined $c{OAK03}{days_since} ? "set" : "null"' < "$T/r.json")" "null" "json: OAK03 has no days since"
like "$(pj '$j->{warnings}[1]{why}' < "$T/r.json")" "before the year began on $from.*missing, not zero" \
	"json: WAS02's warning says why"

# --- html, md, csv ---
desc "the district report is written as html"; ok rep --format html --out "$T/r.html"
html=$(cat "$T/r.html")
like "$html" '<section id="warnings" class="warn" role="alert">' "html: a warnings section"
like "$html" '<b>Washington \(WAS02\): no data in the year</b>' "html: warns of WAS02"
like "$html" '<b>Oak &lt;Ridge&gt; &amp; Co \(OAK03\): nothing received</b>' "html: warns of OAK03, its name escaped"
unlike_lin=$(printf '%s' "$html" | grep -c 'Lincoln (LIN01):' || true)
is "$unlike_lin" "0" "html: no warning for LIN01"
is "$(printf '%s' "$html" | awk '/id="warnings"/ { w = NR } /id="summary"/ { s = NR } END { print (w && w < s) ? "first" : "not" }')" \
	"first" "html: the warnings come before the summary"
like "$html" '<section id="coverage">' "html: the coverage table"
desc "the district report is written as md"; ok rep --format md --out "$T/r.md"
like "$(cat "$T/r.md")" '> \*\*WARNING: Washington \(WAS02\): no data in the year\*\*: ' "md: warns of WAS02"
like "$(cat "$T/r.md")" '> \*\*WARNING: Oak \\<Ridge> & Co \(OAK03\): nothing received\*\*' "md: warns of OAK03"
like "$(cat "$T/r.md")" "\| WAS02 \| Washington \| $today [0-9:]+ \| 2 \| " "md: WAS02's coverage row"
desc "the district report is written as csv"; ok rep --format csv --out "$T/r.csv"
like "$(cat "$T/r.csv")" "WARNING: data may be missing" "csv: a warnings block"
like "$(cat "$T/r.csv")" "^WAS02,Washington,no data in the year," "csv: warns of WAS02"
like "$(cat "$T/r.csv")" '^OAK03,Oak <Ridge> & Co,nothing received,' "csv: warns of OAK03"
like "$(cat "$T/r.csv")" "^LIN01,Lincoln,$today [0-9:]+,3,$today [0-9:]+,0,1,ok$" "csv: LIN01's coverage row: ok"

# --- the board's version: the same warnings, by the schools' names ---
desc "the district's board report is written as html"
ok district report "$R" --year "$year" --today "$today" --out "$T/b.html"
like "$(cat "$T/b.html")" '<b>Washington: no data in the year</b>' "board html: warns of WAS02 by its name"
is "$(grep -c 'WAS02\|OAK03\|LIN01' "$T/b.html")" "0" "board html: no school code in it"
desc "the board report as csv"; ok district report "$R" --year "$year" --today "$today" --format csv --out "$T/b.csv"
like "$(cat "$T/b.csv")" '^Washington,no data in the year,' "board csv: warns of WAS02 by its name"
desc "the coordinator's csv for Excel"; ok rep --format csv --excel --out "$T/x.csv"
is "$(head -c 3 "$T/x.csv" | od -An -tx1 | tr -d ' ')" "efbbbf" "  starts with a UTF-8 byte order mark"
like "$(cat "$T/x.csv")" "$(printf '^WAS02,Washington,no data in the year,.*\r$')" "  its rows end in CRLF"
desc "plsync-district report --excel without --format csv is a usage error"
fails 2 district report "$R" --year "$year" --excel
desc "plsync-district report --staff with an unknown value is a usage error"
fails 2 district report "$R" --year "$year" --staff all

# --- a school's own report ---
desc "LIN01 syncs again (DISTRICT's OAK03 comes in)"; ok a sync
desc "LIN01's own report is written as json"; ok a report --year "$year" --today "$today" --for coordinator --format json --out "$T/a.json"
is "$(pj 'join " ", map { "$_->{school}=$_->{status}" } @{$j->{warnings}}' < "$T/a.json")" "OAK03=nothing received" \
	"plsync report: its store holds nothing of OAK03 and says so"
is "$(pj "$cov"' $c{LIN01}{merged_seq} . " " . $c{LIN01}{status}' < "$T/a.json")" "3 ok" "plsync report: LIN01 is covered"

desc "git fsck --strict passes"; ok git -C "$R" fsck --strict
done_testing
