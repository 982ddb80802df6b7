#!/bin/sh
# The import page over real HTTP: a clerk uploads a CSV (multipart) of
# staff whose "Staff type" column names no field, so every row lacks the
# required category: the preview lists each error with its line, nothing
# is written; mapping that column to category (a select per column) makes
# it ready (2 new, 1 updated), Commit writes them (`plsync ls`), Undo takes
# them back. The upload is kept under a random id for its session only:
# another person's session gets 404; a teacher may not open the page
# (403); a file over --upload-max is 413; a POST without csrf is 403.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/web.sh"
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2027-03-01

desc "a school with staff and accounts"; ok school
printf 'password-E500\n' >"$T/pw"
desc "a coordinator account"; ok sh -c "'$PLSYNC' add staff --id E500 name='Di Moss' category=certified school=LIN01 >/dev/null &&
	'$PLSYNC' user add E500 --role coordinator --password-stdin <'$T/pw' >/dev/null"
desc "serve with a 4 KiB upload limit"; ok serve_start --upload-max 4
is "$(login E400)" 303 "the clerk logs in"
is "$(login E100)" 303 "the teacher logs in"
is "$(login E500)" 303 "the coordinator logs in"
c400=$(csrf_of E400)
printf 'id,Name,Staff type,Email\nE600,Ida Park,certified,ida@lincoln.example\nE601,"Jo ""JJ"" <Kim>",noninstructional,jo@lincoln.example\nE101,Bo Chen,certified,bo@lincoln.example\n' >"$T/staff.csv"

is "$(code E100 "${URL}import")" 403 "a teacher may not open the import page"
like "$(web E400 "${URL}import")" 'enctype="multipart/form-data"' "the clerk gets the upload form"
is "$(code E400 -F kind=staff -F "file=@$T/staff.csv" "${URL}import")" 403 "an upload without csrf is 403"
head -c 6000 /dev/zero | tr '\0' 'a' >"$T/big.csv"
is "$(code E400 -F "csrf=$c400" -F kind=staff -F "file=@$T/big.csv" "${URL}import")" 413 "a file over --upload-max is 413"
loc=$(curl -s -D - -o /dev/null -b "$T/E400.jar" -F "csrf=$c400" -F kind=staff -F "file=@$T/staff.csv" "${URL}import" |
	sed -n 's/^Location: \(.*\)\r$/\1/p')
like "$loc" '^/import/[0-9a-f]{32}$' "the upload goes to its preview under a random id"
page=$(web E400 "${URL}${loc#/}")
is "$(cat "$T/.code")" 200 "the preview is 200"
like "$page" '<td>Staff type</td><td><select name="map.2">' "a select per column"
like "$page" 'Ignored \(they name no field\): Staff type' "the column the library could not match is said"
like "$(printf '%s' "$page" | tr -d '\n')" '<tr><td>2</td>.*category.*<tr><td>3</td>' "every row's error, with its line"
like "$page" '[0-9]+ problems?: nothing can be imported yet' "nothing can be imported yet"
is "$(printf '%s' "$page" | grep -c 'Commit the import')" 0 "no commit button"
is "$("$PLSYNC" ls staff | grep -c 'E60')" 0 "nothing was written"
is "$(code E500 "${URL}${loc#/}")" 404 "another person's session does not find the upload"
is "$(code E400 --data-urlencode map.2=category "${URL}${loc#/}/map")" 403 "mapping without csrf is 403"
is "$(code E400 --data-urlencode map.2=category --data-urlencode "csrf=$c400" "${URL}${loc#/}/map")" 303 \
	"the clerk maps Staff type to category"
page=$(web E400 "${URL}${loc#/}")
like "$page" '<option value="category" selected>' "the mapping is kept"
like "$page" '2 new, 1 updated, 0 unchanged' "the preview counts new and updated"
like "$page" 'Commit the import' "and offers the commit"
page=$(web E400 --data-urlencode "csrf=$c400" "${URL}${loc#/}/commit")
is "$(cat "$T/.code")" 200 "the commit is done"
like "$page" '2 new, 1 updated' "it says what it did"
like "$("$PLSYNC" ls staff)" 'E600.*Ida Park' "plsync ls shows the new staff member"
is "$("$PLSYNC" show E601 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"]["name"])')" 'Jo "JJ" <Kim>' \
	"the quoted name as it was"
like "$("$PLSYNC" log E600)" 'Cy Diaz \(E400\).*import of staff.csv' "the clerk is the actor, the note names the file"
is "$(code E400 "${URL}${loc#/}")" 404 "the upload is gone after the commit"
is "$(code E400 --data-urlencode "csrf=$c400" "${URL}import/undo")" 200 "undo the last import"
like "$(cat "$T/.body")" '2 records deleted, 1 set back' "it says what it took back"
is "$("$PLSYNC" ls staff | grep -c 'E60')" 0 "the imported staff are gone"
is "$(code E400 --data-urlencode "csrf=$c400" "${URL}import/undo")" 404 "a second undo has nothing to take back"
is "$(code E400 "${URL}import/..%2Fetc")" 404 "an id that is not one is 404"
serve_stop
is "$SERVE_RC" 0 "the server stops cleanly on SIGTERM (under ASan: no leak, no error)"
done_testing
