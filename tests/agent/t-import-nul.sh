#!/bin/sh
# An import file with a NUL byte in a cell (fuzz-import found it): refused
# with the file, line and cell, nothing imported, and the store still checks.
# Before, the cell was stored and the school's own op log no longer decoded
# (`plsync check` and `log` failed); a NUL in the id column cut the id short.
. "$(dirname "$0")/../lib.sh"
export PLSYNC_DIR="$T/lin"
p() { "$PLSYNC" "$@"; }

ok p init --node LIN01 --user "Ann Lee <ann@lincoln.example>"
ok p add school --id LIN01 code=LIN01 name="Lincoln Elementary"

printf 'id,name,category,school\nE300,"Riv\000er",certified,LIN01\n' >"$T/value.csv"
desc "a NUL byte in a value cell is refused"; fails 1 p import staff "$T/value.csv"
like "$(cat "$T/.err")" 'value.csv line 2: cell 2 holds a NUL byte' "the message names the file, line and cell"
like "$(cat "$T/.err")" 'nothing from .*value.csv was imported' "and says nothing was imported"

printf 'id,name,category,school\nE3\000XX,Kim,certified,LIN01\n' >"$T/id.csv"
desc "a NUL byte in the id column is refused"; fails 1 p import staff "$T/id.csv"
like "$(cat "$T/.err")" 'id.csv line 2: cell 1 holds a NUL byte' "the message names the id cell"
desc "no record E3 was made of the cut id"; fails 1 p show E3

desc "the store still checks"; ok p check
is "$(p ls staff --json | grep -c "\"E3")" "0" "no staff record was imported"
desc "the log reads"; ok p log
done_testing
