#!/bin/sh
# A school's PD log as Excel exports it (issue 12): a byte order mark, CRLF,
# quoted commas, US dates, "6.5 hrs" and "90 min", dollars ("$120.00",
# "$1,234.50"), TRUE/FALSE, enum values in any case, and columns that are
# not fields. One mapping imports exactly the records the sheet means; the
# same file again creates nothing; an edited row updates its one record;
# five bad rows are all reported and nothing is applied; a dry run writes
# nothing; undo takes back what the last import created and changed.
. "$(dirname "$0")/../lib.sh"
export PLSYNC_DIR="$T/lin"
p() { "$PLSYNC" "$@"; }
seq_now() { p status --json | sed -n 's/^  "seq": \(.*\),$/\1/p'; }
field() { # FILE PYTHON-EXPR over r (the record with that title): print it
	python3 -c 'import json,sys
rs = json.load(open(sys.argv[1]))
by = {r["fields"]["title"]: r["fields"] for r in rs}
print(eval(sys.argv[2]))' "$@"
}

ok p init --node LIN01 --user "Ann Lee <ann@lincoln.example>"
ok sh -c "'$PLSYNC' add school --id LIN01 code=LIN01 name='Lincoln Elementary' >/dev/null &&
	'$PLSYNC' add staff --id E100 name='Pat Rivera' category=certified school=LIN01 >/dev/null &&
	'$PLSYNC' add staff --id E200 name='Sam Ortiz' category=certified school=LIN01 >/dev/null"

printf '\357\273\277Employee ID,Workshop Title,Type,Start Date,End Date,Hours,Cost,Location,Delivery,Required,Status,Dept,Supervisor Name\r\n' > "$T/log.csv"
printf 'E100,"Fractions, Decimals and Number Lines",Workshop,9/14/2025,9/14/2025,6.5 hrs,$120.00,In District,In Person,TRUE,Completed,Math,"Lee, Ann"\r\n' >> "$T/log.csv"
printf 'E200,Leading PLCs,Seminar,10/2/2025,10/3/2025,90 min,"$1,234.50",Out Of District,Online,FALSE,approved,Admin,"Lee, Ann"\r\n' >> "$T/log.csv"
printf 'E100,Data Retreat,workshop,11/3/25,,3,120,in-district,HYBRID,yes,Requested,Math,\r\n' >> "$T/log.csv"
printf 'E200,Coaching cycle,Coaching,1/15/2026,,2 hours,0,In District,Job-Embedded,no,completed,Admin,\r\n' >> "$T/log.csv"
MAP="Employee ID=staff,Workshop Title=title,Required=required_for_job"

seq0=$(seq_now)
desc "a dry run of the export says what would happen"; ok p import pd_entry "$T/log.csv" --map "$MAP" --dry-run
like "$(cat "$T/.out")" '4 new, 0 updated, 0 unchanged' "4 new, 0 updated, 0 unchanged"
is "$(seq_now)" "$seq0" "and writes nothing"

desc "the export imports with one mapping"; ok p import pd_entry "$T/log.csv" --map "$MAP"
like "$(cat "$T/.out")" 'imported pd_entry from .*log.csv: 4 new, 0 updated, 0 unchanged' "4 new records"
like "$(cat "$T/.err")" '^plsync: ignored columns: Dept, Supervisor Name$' "the columns that are no field are named, ignored"
p ls pd_entry --json > "$T/ls.json"
is "$(field "$T/ls.json" 'len(rs)')" "4" "four records, no more"
f='by["Fractions, Decimals and Number Lines"]'
is "$(field "$T/ls.json" "($f['staff'], $f['start'], $f['end'], $f['hours'], $f['cost_cents'])")" \
	"('E100', '2025-09-14', '2025-09-14', 6.5, 12000)" "the quoted title, US dates, 6.5 hrs and \$120.00 as the sheet means them"
is "$(field "$T/ls.json" "($f['type'], $f['location'], $f['delivery'], $f['required_for_job'], $f['status'])")" \
	"('workshop', 'in_district', 'in_person', True, 'completed')" "enum values and TRUE stored canonically"
f='by["Leading PLCs"]'
is "$(field "$T/ls.json" "($f['hours'], $f['cost_cents'], $f['location'], $f['delivery'], $f['required_for_job'])")" \
	"(1.5, 123450, 'out_of_district', 'online', False)" "90 min is 1.5 hours, \$1,234.50 is 123450 cents, FALSE is false"
f='by["Data Retreat"]'
is "$(field "$T/ls.json" "($f['start'], $f['cost_cents'], $f['location'], $f['delivery'], 'end' in $f)")" \
	"('2025-11-03', 12000, 'in_district', 'hybrid', False)" "11/3/25 is 2025-11-03, 120 dollars, an empty cell no field"
f='by["Coaching cycle"]'
is "$(field "$T/ls.json" "($f['type'], $f['delivery'], $f['hours'], $f['cost_cents'])")" \
	"('coaching', 'job_embedded', 2, 0)" "Job-Embedded and 2 hours"
desc "the store checks"; ok p check

seq1=$(seq_now)
desc "the same file again"; ok p import pd_entry "$T/log.csv" --map "$MAP"
like "$(cat "$T/.out")" ': 0 new, 0 updated, 4 unchanged$' "creates nothing: 0 new, 0 updated, 4 unchanged"
is "$(seq_now)" "$seq1" "and writes no op"
is "$(p ls pd_entry --json | grep -c '"kind": "pd_entry"')" "4" "still four entries"

sed 's/6\.5 hrs/7 hrs/' "$T/log.csv" > "$T/edited.csv"
id1=$(field "$T/ls.json" "[r['id'] for r in rs if r['fields']['title'].startswith('Fractions')][0]")
desc "an edited row"; ok p import pd_entry "$T/edited.csv" --map "$MAP"
like "$(cat "$T/.out")" ': 0 new, 1 updated, 3 unchanged$' "updates one record"
is "$(seq_now)" "$((seq1 + 1))" "with one op"
is "$(p show "$id1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"]["hours"])')" "7" \
	"the record of that row now has 7 hours"
like "$(p log "$id1" | tail -n 1)" "pd_entry $id1 hours=7$" "the op sets that field alone"

# a saved mapping, with a comment, gives the same
printf '# our district export\nEmployee ID = staff\nWorkshop Title=title\n\nRequired=required_for_job\nDept=\n' > "$T/district.map"
desc "a saved mapping file"; ok p import pd_entry "$T/edited.csv" --map-file "$T/district.map"
like "$(cat "$T/.out")" ': 0 new, 0 updated, 4 unchanged$' "matches the same records"
like "$(cat "$T/.err")" '^plsync: ignored columns: Supervisor Name$' "and Dept= ignores Dept without a note"

# five bad rows (and a good one): all five reported, nothing applied
cat > "$T/bad.csv" <<'CSV'
staff,title,type,start,hours,cost_cents,location
E100,Good one,workshop,2026-01-05,3,100,in_district
E100,Bad hours,workshop,2026-01-06,lots,100,in_district
E100,Bad date,workshop,13/45/2026,3,100,in_district
E100,Bad type,wrokshop,2026-01-07,3,100,in_district
E999,Bad staff,workshop,2026-01-08,3,100,in_district
E100,Bad cents,workshop,2026-01-09,3,$120.00,in_district
CSV
seq2=$(seq_now)
desc "a file with five bad rows fails"; fails 1 p import pd_entry "$T/bad.csv"
is "$(grep -c 'bad.csv line [0-9]*: ' "$T/.err")" "5" "five lines of errors"
is "$(grep -o 'bad.csv line [0-9]*' "$T/.err" | sed 's/.* //' | tr '\n' ' ')" "3 4 5 6 7 " "one for each bad row, by line"
like "$(cat "$T/.err")" 'line 3: pd_entry.hours: "lots" is not a number' "naming field and value"
like "$(cat "$T/.err")" "line 5: pd_entry.type: \"wrokshop\" is not a known value \(did you mean 'workshop'\?\)" "a near miss says did you mean"
like "$(cat "$T/.err")" "line 7: pd_entry.cost_cents: \"\\\$120.00\" is not a whole number of cents; for dollars name the column 'cost'" \
	"a dollar amount in a _cents column is refused, naming the dollars column"
like "$(cat "$T/.err")" 'nothing from .*bad.csv was imported' "says nothing was imported"
is "$(seq_now)" "$seq2" "and nothing was"

perl -e 'print "staff,title,type,hours\n"; print "E100,Row $_,workshop,lots\n" for 1 .. 150' > "$T/many.csv"
desc "a file with 150 bad rows fails"; fails 1 p import pd_entry "$T/many.csv"
is "$(grep -c 'many.csv line [0-9]*: ' "$T/.err")" "100" "listing the first 100 errors"
like "$(cat "$T/.err")" '^plsync: \.\.\. and 50 more errors$' "then how many more"

printf 'staff,title,type,start\nE100,Twice,workshop,2026-02-01\nE200,Other,workshop,2026-02-01\nE100,twice,workshop,2/1/2026\n' > "$T/dup.csv"
desc "two rows of one record fail"; fails 1 p import pd_entry "$T/dup.csv"
like "$(cat "$T/.err")" 'dup.csv line 4: the same pd_entry as line 2 \(pd_entry key staff \+ title \+ start\)' "naming both lines"

printf 'staff,title,type,colour\nE100,Paint,workshop,red\n' > "$T/col.csv"
desc "--strict refuses a column that is no field"; fails 1 p import pd_entry "$T/col.csv" --strict
like "$(cat "$T/.err")" "col.csv line 1: column 'colour' is not a pd_entry field" "naming it"
printf 'staff,titel,type\nE100,Paint,workshop\n' > "$T/near.csv"
desc "a column near a field's name"; fails 1 p import pd_entry "$T/near.csv"
like "$(cat "$T/.err")" "ignored columns: titel \(did you mean 'title'\?\)" "is ignored with a did you mean"

# day first, as the district configures it
ok p config import.dates dmy
printf 'staff,title,type,start\nE200,Day first,workshop,3/4/2026\n' > "$T/dmy.csv"
desc "with import.dates=dmy"; ok p import pd_entry "$T/dmy.csv"
is "$(p ls pd_entry title="Day first" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["fields"]["start"])')" \
	"2026-04-03" "3/4/2026 is 3 April"
ok p config import.dates mdy

# undo: an import that creates two records and changes one
sed 's/7 hrs/8 hrs/' "$T/edited.csv" > "$T/more.csv"
printf 'E100,Extra one,workshop,2/2/2026,,1,0,In District,Online,no,completed,Math,\r\nE200,Extra two,workshop,2/3/2026,,1,0,In District,Online,no,completed,Math,\r\n' >> "$T/more.csv"
desc "an import of two new rows and one changed"; ok p import pd_entry "$T/more.csv" --map "$MAP"
like "$(cat "$T/.out")" ': 2 new, 1 updated, 3 unchanged' "2 new, 1 updated"
desc "an import that changes nothing"; ok p import pd_entry "$T/more.csv" --map "$MAP"
like "$(cat "$T/.out")" ': 0 new, 0 updated, 6 unchanged' "is all unchanged"
desc "import --undo"; ok p import --undo --note "wrong file"
like "$(cat "$T/.out")" '2 records deleted, 1 set back' "deletes what it created and sets back what it changed"
is "$(p ls pd_entry --json | grep -c '"kind": "pd_entry"')" "5" "the two new entries are gone"
is "$(p show "$id1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"]["hours"])')" "7" \
	"the changed one has its hours from before"
like "$(p log "$id1" | tail -n 1)" "# wrong file" "as a new op with the note"
desc "a second undo has nothing to take back"; fails 1 p import --undo
like "$(cat "$T/.err")" 'no import to take back' "and says so"
desc "the store checks"; ok p check
done_testing
