#!/bin/sh
# The two versions of the annual report (issue 12, item 5). A school year of
# Lincoln's records, and some of the year before. The board's HTML report
# (the default) has no record id of any record the test made, no command
# line, no raw funding code and no staff name; its tables' totals are the
# sums of their rows (parsed from the HTML); the 2022 chart has only 2022
# standards and a note of the hours with none; the comparison with the year
# before shows last year's figures. --staff names adds a by-person table
# with names, --staff ids with ids. --for coordinator has the ids and each
# finding's next step. --excel CSV has a BOM and CRLF rows. Without data of
# the year before, the comparison is a note.
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2026-07-15
p() { "$PLSYNC" "$@"; }
ids="$T/ids"

p init --node LIN01 --name "Lincoln Elementary" --user "Ann Lee <ann@lincoln.example>" >/dev/null
p add school --id LIN01 code=LIN01 name="Lincoln Elementary" level=elementary enrollment=412 >/dev/null
p add staff --id E200 name="Pat Rivera" category=certified role=Principal school=LIN01 >/dev/null
p add staff --id E300 name="Sam Ortiz" category=noninstructional school=LIN01 >/dev/null
p add staff --id E100 name="Ann Lee" category=certified school=LIN01 supervisor=E200 budget_manager=E300 \
	license_expires=2027-12-31 renewal_hours_required=90 >/dev/null
p add staff --id E101 name="Bo Chen" category=certified school=LIN01 supervisor=E200 budget_manager=E300 >/dev/null
plan=$(p add plan school=LIN01 year=2025-2026 mission="Every student reads")
g1=$(p add goal plan="$plan" number=1 statement="Raise grade 4 math proficiency to 70%" measure="state test" \
	outcome_y1="64%" outcome_y2="67%" outcome_y3="70%")
g2=$(p add goal plan="$plan" number=2 statement="Every reader on grade level by grade 3" measure="DIBELS")
a1=$(p add activity goal="$g1" title="Fractions" initial.what="Workshop" \
	standards=learning_designs,implementation budget_cents=250000 funding=federal:title-ii-a)
printf '%s\n%s\n%s\n%s\n' "$plan" "$g1" "$g2" "$a1" > "$ids"
i=0
for spec in "E100 workshop 2025-09-14 6.5 federal:title-ii-a learning_designs,curriculum_assessment_instruction 2025-09-14" \
            "E101 course 2025-11-30 30 state equity_practices 2025-12-03" \
            "E100 conference 2026-03-04 12 grant:reading-corps leadership 2026-03-05" \
            "E101 coaching 2026-05-10 3 local implementation 2026-05-10" \
            "E100 workshop 2024-10-01 4 local implementation 2024-10-01" \
            "E101 course 2025-02-01 8 state learning_designs 2025-02-01"; do
	set -- $spec
	i=$((i + 1))
	id=$(p request staff="$1" title="PD $i" type="$2" start="$3" end="$7" cost_cents=$((i * 10000)) \
		funding="$5" standards="$6" goal="$g1")
	echo "$id" >> "$ids"
	p approve "$id" --as supervisor --by E200 >/dev/null
	p approve "$id" --as budget --by E300 >/dev/null
	p complete "$id" --hours "$4" >/dev/null
	[ $i = 2 ] || p evaluate "$id" reaction=4 learning=4 >/dev/null
done
p add plc_meeting group="Grade 4 math" school=LIN01 date=2025-10-05 minutes=60 attendees=E100,E101 >> "$ids"
p add pd_entry staff=E101 title="Unapproved" type=seminar start=2025-12-01 hours=2 status=completed >> "$ids"
echo E100 E101 E200 E300 LIN01 | tr ' ' '\n' >> "$ids"
desc "the test made $(wc -l < "$ids") records"; ok test "$(wc -l < "$ids")" -ge 15

# --- the board's report ---
desc "the board's report (the default) as HTML"; ok p report --year 2025-2026 --out "$T/b.html"
html="$T/b.html"
miss=""
while read -r id; do grep -qF "$id" "$html" && miss="$miss $id"; done < "$ids"
is "$miss" "" "no record id of any record the test made is in it (schools', staff's and generated ids)"
is "$(grep -c 'plsync ' "$html")" "0" "no command line in it"
is "$(grep -c 'federal:\|grant:\|title-ii-a' "$html")" "0" "no raw funding code"
like "$(cat "$html")" 'Federal Title II-A' "funding by its name: Federal Title II-A"
like "$(cat "$html")" 'Grant: Reading Corps' "  and a grant's code tidied: Grant: Reading Corps"
like "$(cat "$html")" 'Learning Designs' "standards by their names"
is "$(grep -c 'Ann Lee\|Bo Chen\|Pat Rivera\|Sam Ortiz' "$html")" "0" "--staff none (the default): no staff name"
is "$(grep -c 'findings_by_staff' "$html")" "0" "  and no per-person rows"
like "$(cat "$html")" 'the coordinator&#39;s report lists each' "the findings are counted, the coordinator's report named"

desc "every table's total is the sum of its rows"
ok python3 "$here/sums.py" "$html"
like "$(cat "$T/.out")" '^checked [0-9]{2,} sums in [0-9]+ tables$' "  ($(cat "$T/.out"))"

chart=$(awk '/<figcaption>Hours by standard \(2022 set\)/,/<\/figure>/' "$html")
like "$chart" 'Equity' "the 2022 chart has its standards' bars"
is "$(printf '%s' "$chart" | grep -c '(no standard\|(none of')" "0" "  and no bar for PL without a 2022 standard"
like "$chart" '<p class="note">[0-9.]+ hours had no 2022 standard.</p>' "  but a note of its hours"
is "$(printf '%s' "$chart" | sed -n 's/.*<p class="note">\([0-9.]*\) hours.*/\1/p')" "$(sed -n \
	'/<section id="by_standard_2022">/,/<\/section>/p' "$html" | sed -n 's/.*(none of the 2022 standards)<\/td><td class="n">[0-9]*<\/td><td class="n">\([0-9.]*\)<.*/\1/p')" \
	"  the table's row of PL with no 2022 standard"

prev=$(sed -n '/<section id="previous_year">/,/<\/section>/p' "$html")
like "$prev" 'Compared with the previous school year \(2024-2025\)' "a comparison with 2024-2025"
like "$prev" '<td>Participants</td><td class="n">2</td><td class="n">2</td><td class="n">0</td>' \
	"  participants: 2 this year, 2 last year"
like "$prev" '<td>Participations</td><td class="n">7</td><td class="n">2</td><td class="n">5</td>' \
	"  participations: 4 entries, 2 PLC attendances and the unapproved entry; 2 last year"
like "$prev" '<td>Hours of PL</td><td class="n">55.50</td><td class="n">12.00</td><td class="n">43.50</td>' \
	"  hours: 6.5+30+12+3+2+2x1 = 55.50 this year, 4+8 = 12.00 last year"
like "$prev" '<td>Spent</td><td class="n">\$1,000.00</td><td class="n">\$1,100.00</td><td class="n">-\$100.00</td>' \
	"  spending: \$100+200+300+400 this year, \$500+600 last year"
like "$prev" '<td>Hours: Implementation \(2011\)</td><td class="n">[0-9.]+</td><td class="n">4.00</td>' \
	"  and per standard, last year's hours"

# --- staff shown when the district allows ---
desc "the board's report with --staff names"; ok p report --year 2025-2026 --staff names --out "$T/n.html"
like "$(sed -n '/id="findings_by_staff"/,/<\/section>/p' "$T/n.html")" '<td>Bo Chen</td><td>Lincoln Elementary</td>' \
	"  a findings-by-person table with names and the school's name"
is "$(grep -c 'E101' "$T/n.html")" "0" "  and no staff id"
desc "with --staff ids"; ok p report --year 2025-2026 --staff ids --out "$T/i.html"
like "$(sed -n '/id="findings_by_staff"/,/<\/section>/p' "$T/i.html")" '<td>E101</td>' "  the table has ids"
is "$(grep -c 'Bo Chen' "$T/i.html")" "0" "  and no name"
desc "an unknown --staff is a usage error"; fails 2 p report --staff everyone
desc "an unknown --for is a usage error"; fails 2 p report --for parents

# --- the coordinator's report ---
desc "the coordinator's report"; ok p report --year 2025-2026 --for coordinator --out "$T/c.html"
c=$(cat "$T/c.html")
like "$c" "<td>$a1</td>|$g1" "it has the record ids"
like "$c" '<th>Next step</th>' "its findings have a next step"
like "$c" '<td>approval_missing</td><td>LIN01-[A-Z0-9]+</td><td>E101</td><td>LIN01</td><td>[^<]*</td><td>record the missing approval' \
	"  the unapproved entry: its record, staff id, school and the next step in words"
is "$(grep -c 'plsync ' "$T/c.html")" "0" "  still no command line (the report is not a terminal)"
desc "plsync findings gives the command"; ok p findings
like "$(cat "$T/.out")" 'next: plsync approve LIN01-[A-Z0-9]+ --as supervisor\|budget --by STAFF' "  for the approval"
like "$(cat "$T/.out")" 'next: plsync set [A-Z0-9-]+ outcome_y1=\.\.\. outcome_y2=\.\.\. outcome_y3=\.\.\.' \
	"  for the incomplete goal, naming its missing fields"

# --- CSV for Excel ---
desc "--excel CSV"; ok p report --year 2025-2026 --format csv --excel --out "$T/x.csv"
is "$(head -c 3 "$T/x.csv" | od -An -tx1 | tr -d ' ')" "efbbbf" "  starts with a UTF-8 byte order mark"
is "$(grep -c "$(printf '\r')\$" "$T/x.csv")" "$(wc -l < "$T/x.csv")" "  every row ends in CRLF"
desc "CSV without --excel"; ok p report --year 2025-2026 --format csv --out "$T/p.csv"
is "$(grep -c "$(printf '\r')" "$T/p.csv")" "0" "  has no CR"
is "$(tail -c +4 "$T/x.csv" | tr -d '\r')" "$(cat "$T/p.csv")" "  and is otherwise the same"
desc "--excel without csv is a usage error"; fails 2 p report --excel

# --- no data of the year before ---
desc "the 2024-2025 report"; ok p report --year 2024-2025 --format md --out "$T/old.md"
like "$(cat "$T/old.md")" 'No comparison with the previous school year: the data holds no professional learning for 2023-2024' \
	"with no PL the year before, the comparison is a note"
is "$(grep -c 'Compared with the previous school year (2023' "$T/old.md")" "0" "  and no table"

desc "the plan without activities: plsync plan show says what to add"; ok p plan show "$plan"
like "$(cat "$T/.out")" '\(no activities yet\)' "  the document says so in words"
like "$(cat "$T/.err")" "next: add an activity with plsync add activity goal=$g2" "  the command is the program's, on stderr"
done_testing
