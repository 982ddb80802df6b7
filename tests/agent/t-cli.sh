#!/bin/sh
# The plsync CLI end to end in a temp data dir: init, add, set, rm, show, ls,
# import/export, log, status, config, check, help and exit codes.
. "$(dirname "$0")/../lib.sh"
export PLSYNC_DIR="$T/lin"
p() { "$PLSYNC" "$@"; }

desc "a command before init fails and says to run init"
fails 1 p status
like "$(cat "$T/.err")" "run 'plsync init" "the message names the fix"
is "$(cat "$T/.err")" "plsync: $T/lin is not a plsync data dir (no store); run 'plsync init --node CODE' first" \
	"the library's message, then the program's text for its hint"

desc "init creates the data dir"; ok p init --node LIN01 --name "Lincoln" --user "Ann Lee <ann@lincoln.example>"
desc "a second init refuses"; fails 1 p init --node LIN01
desc "init without --node is a usage error"; fails 2 p --dir "$T/x" init
desc "a bad node code is refused"; fails 1 p --dir "$T/y" init --node "lin 01"
is "$(git config -f "$PLSYNC_DIR/config" user.email)" "ann@lincoln.example" "plain git reads the config file"
is "$(p config core.node)" "LIN01" "config reads a key"

ok p add school --id LIN01 code=LIN01 name="Lincoln Elementary" level=elementary
ok p add staff --id E200 name="Pat Rivera" category=certified school=LIN01
desc "adding an id that exists fails"; fails 1 p add school --id LIN01 code=LIN01 name="Lincoln Elementary"
is "$(cat "$T/.err")" "plsync: school LIN01 already exists; use 'plsync set LIN01 field=value' to change it" \
	"and the hint names the command to change it, with the record's id"
printf 'not a bundle\n' > "$T/notes.txt"
desc "applying a file that is not a bundle fails"; fails 1 p bundle apply "$T/notes.txt"
is "$(cat "$T/.err")" "plsync: $T/notes.txt is not a plsync bundle (made with 'plsync bundle create')" \
	"and a sync-layer hint is printed too"
desc "sync without a remote is a usage error"; fails 2 p sync
is "$(cat "$T/.err")" "plsync: no remote: give --remote URL or set it with 'plsync config remote.url URL'" \
	"and the hint names the option and the config command"
ok p add staff --id E100 name="Ann Lee" category=certified school=LIN01 supervisor=E200 budget_manager=E200
id=$(p add pd_entry staff=E100 title="Math Institute" type=institute start=2026-08-10 hours=12 standards=learning_designs,implementation)
like "$id" '^LIN01-[0-9A-Z]{5}$' "add prints a generated id NODE-XXXXX"
is "$(p show "$id" --json | sed -n 's/^    "hours": \(.*\),$/\1/p')" "12" "show --json has the hours as a number"

desc "set changes a nested field"; ok p set "$id" approvals.supervisor.by=E200 approvals.supervisor.at=2026-08-01
like "$(p show "$id")" 'approvals.supervisor.by +E200' "show lists the nested field with dots"
desc "set can unset an optional field"; ok p set "$id" start=
is "$(p show "$id" | grep -c ' start ')" "0" "the unset field is gone"
desc "a required field cannot be unset"; fails 1 p set "$id" title=
like "$(cat "$T/.err")" 'pd_entry.title is required' "the message names the field"

seq_before=$(p status --json | sed -n 's/^  "seq": \(.*\),$/\1/p')
desc "a bad enum is refused"; fails 1 p add pd_entry staff=E100 title=x type=party
like "$(cat "$T/.err")" '^plsync: pd_entry.type: "party" is not a known value; allowed: conference' "the message names kind, field, value and what is allowed"
desc "negative hours are refused"; fails 1 p add pd_entry staff=E100 title=x type=workshop hours=-2
desc "an impossible date is refused"; fails 1 p add pd_entry staff=E100 title=x type=workshop start=2026-02-30
desc "a reference to a missing staff member is refused"; fails 1 p add pd_entry staff=E999 title=x type=workshop
like "$(cat "$T/.err")" 'no staff record with id "E999"' "the message names the missing record"
desc "an unknown field is refused"; fails 1 p add staff name=X category=certified shoe_size=9
desc "a duplicate id is refused"; fails 1 p add staff --id E100 name=X category=certified
desc "an argument without = is a usage error"; fails 2 p add staff name
desc "an unknown kind is a usage error"; fails 2 p add teacher name=X
is "$(p status --json | sed -n 's/^  "seq": \(.*\),$/\1/p')" "$seq_before" "refused writes leave the op log unchanged"

cat > "$T/pd.csv" <<'CSV'
staff,title,type,start,hours,cost_cents,funding,standards,status
E100,Fractions workshop,workshop,2026-09-14,6.5,12000,federal:title-ii-a,"learning_designs,implementation",completed
E200,"Leading PLCs, part 1",seminar,2026-10-02,3,0,local,leadership,approved
CSV
desc "import adds every row of a CSV"; ok p import pd_entry "$T/pd.csv"
is "$(p ls pd_entry --json | grep -c '"kind": "pd_entry"')" "3" "ls shows the imported and the added entries"
is "$(p ls pd_entry staff=E200 | tail -n +2 | wc -l | tr -d ' ')" "1" "ls filters by a reference field"
is "$(p ls pd_entry standards=leadership | tail -n +2 | wc -l | tr -d ' ')" "1" "ls filters on a list field"

seq_before=$(p status --json | sed -n 's/^  "seq": \(.*\),$/\1/p')
printf 'staff,title,type,hours\nE100,ok row,workshop,3\nE100,bad row,workshop,abc\n' > "$T/bad.csv"
desc "an import with a bad row fails"; fails 1 p import pd_entry "$T/bad.csv"
like "$(head -n 1 "$T/.err")" 'bad.csv line 3: pd_entry.hours: "abc" is not a number' "the error names the file, line, field and value"
is "$(p status --json | sed -n 's/^  "seq": \(.*\),$/\1/p')" "$seq_before" "nothing of the bad import was applied"
printf 'staff,title,type\nE100,"unterminated,workshop\n' > "$T/quote.csv"
desc "malformed CSV quoting is refused"; fails 1 p import pd_entry "$T/quote.csv"
printf 'staff,title,colour\nE100,x,red\n' > "$T/col.csv"
desc "an unknown column is refused with --strict"; fails 1 p import pd_entry "$T/col.csv" --strict
like "$(cat "$T/.err")" "column 'colour' is not a pd_entry field" "the message names the column"
printf 'staff,title,type\nE100,x\n' > "$T/short.csv"
desc "a short row is refused"; fails 1 p import pd_entry "$T/short.csv"
desc "a missing file fails"; fails 1 p import pd_entry "$T/nope.csv"
printf 'staff,title,type\nE100,a,workshop\nE404,b,workshop\n' > "$T/ref.csv"
desc "an import referring to a record that exists nowhere fails"; fails 1 p import pd_entry "$T/ref.csv"
like "$(head -n 1 "$T/.err")" 'ref.csv line 3: pd_entry.staff: no staff record with id "E404"' "the error names line, field and the missing id"

desc "export writes JSON Lines"; ok p export pd_entry --format jsonl --out "$T/pd.jsonl"
is "$(wc -l < "$T/pd.jsonl" | tr -d ' ')" "3" "one line per record"
# the entries' ids are LIN01's generated ids: only a LIN01 data dir (a
# rebuilt one, say) may create them (issue 9, D3)
desc "another node's data dir refuses to create LIN01's generated ids"
fails 1 sh -c "'$PLSYNC' --dir '$T/lin02' init --node LIN02 >/dev/null && '$PLSYNC' export school --format jsonl | '$PLSYNC' --dir '$T/lin02' import school - --format jsonl && '$PLSYNC' export staff --format jsonl | '$PLSYNC' --dir '$T/lin02' import staff - --format jsonl && '$PLSYNC' --dir '$T/lin02' import pd_entry '$T/pd.jsonl'"
like "$(cat "$T/.err")" "form of an id generated by node LIN01" "naming the node whose form it is"
desc "another data dir imports the export (staff referring to staff further down)"
ok sh -c "'$PLSYNC' --dir '$T/other' init --node LIN01 >/dev/null && '$PLSYNC' export school --format jsonl | '$PLSYNC' --dir '$T/other' import school - --format jsonl && '$PLSYNC' export staff --format jsonl | '$PLSYNC' --dir '$T/other' import staff - --format jsonl && '$PLSYNC' --dir '$T/other' import pd_entry '$T/pd.jsonl'"
is "$(p --dir "$T/other" export pd_entry --format jsonl | sort)" "$(sort "$T/pd.jsonl")" "the JSON Lines round trip keeps every field"
p export pd_entry > "$T/pd-export.csv"
desc "CSV export imports back into another dir"; ok p --dir "$T/other2" init --node LIN01
ok sh -c "'$PLSYNC' export school > '$T/school.csv' && '$PLSYNC' export staff > '$T/staff.csv' && '$PLSYNC' --dir '$T/other2' import school '$T/school.csv' && '$PLSYNC' --dir '$T/other2' import staff '$T/staff.csv' && '$PLSYNC' --dir '$T/other2' import pd_entry '$T/pd-export.csv'"
is "$(p --dir "$T/other2" export pd_entry)" "$(cat "$T/pd-export.csv")" "the CSV round trip keeps every field"
printf '{"staff":"E100","title":"x","type":"workshop"}\n{"staff":"E100","title":"y","type":"workshop","hours":"lots"}\n' > "$T/bad.jsonl"
desc "a bad JSON Lines row fails with its line"; fails 1 p import pd_entry "$T/bad.jsonl"
like "$(head -n 1 "$T/.err")" 'bad.jsonl line 2' "the error names the line"
printf '{"staff":"E100",\n' > "$T/broken.jsonl"
desc "broken JSON fails"; fails 1 p import pd_entry "$T/broken.jsonl" --format jsonl

desc "rm deletes a record"; ok p rm "$id" --note "entered twice"
desc "show of a deleted record fails"; fails 1 p show "$id"
is "$(p log "$id" | wc -l | tr -d ' ')" "4" "its history is kept in the log"
like "$(p log "$id" | tail -n 1)" "^LIN01/[0-9]+ .* Ann Lee <ann@lincoln.example>  del pd_entry $id  # entered twice" "the log shows who deleted it and why"
desc "rm of an unknown id fails"; fails 1 p rm NOPE
desc "log --json prints valid JSON"; ok sh -c "'$PLSYNC' log --json | python3 -c 'import json,sys; json.load(sys.stdin)'"
desc "check verifies the store"; ok p check

for c in init add set rm show ls import export log status config check; do
	desc "plsync $c --help prints its usage"; ok p "$c" --help
	like "$(cat "$T/.out")" "^usage: plsync" "the $c help starts with usage"
done
desc "plsync --help exits 0"; ok p --help
desc "an unknown command is a usage error"; fails 2 p frobnicate
desc "an unknown option is a usage error"; fails 2 p ls staff --bogus
desc "plsync alone is a usage error"; fails 2 p

# text that is not UTF-8 never gets into an op
desc "a store for it"; ok "$PLSYNC" --dir "$T/utf" init --node UTF01 --user "U Tf <u@example.org>"
desc "a record id that is not UTF-8 is refused"; fails 1 "$PLSYNC" --dir "$T/utf" add school --id "$(printf 'caf\351')" code=CAFE name=Cafe
like "$(cat "$T/.err")" "not a valid record id" "saying why"
printf 'id,name,category,school\nE1,Ann Lee,certified,NOSUCH\n' > "$(printf "$T/caf\351.csv")"
desc "an import from a file whose name is not UTF-8 still checks references"
fails 1 "$PLSYNC" --dir "$T/utf" import staff "$(printf "$T/caf\351.csv")"
like "$(cat "$T/.err")" "no school record with id \"NOSUCH\"" "and refuses the dangling one"
desc "nothing of it is stored"; fails 1 "$PLSYNC" --dir "$T/utf" show E1

done_testing
