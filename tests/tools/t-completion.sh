#!/bin/sh
# The bash completion (dist/bash-completion/plsync), run in bash as the
# shell runs it: COMP_WORDS and COMP_CWORD set, the function called, the
# COMPREPLY it leaves read back. It offers the commands, a command's
# options and their values, the kinds, a kind's fields (as "field="), the
# record ids of the data dir given with --dir, the config keys, and for the
# tools their commands; all of it taken from the programs. Run without
# bash-completion's helpers and, when that package is installed, with them.
. "$(dirname "$0")/../lib.sh"

if ! command -v bash >/dev/null 2>&1; then
	echo "1..0 # SKIP bash is missing"
	exit 0
fi
script="$top/dist/bash-completion/plsync"
PATH="$build/bin:$PATH"
export PATH

# complete WORD... (the last is the word being completed, "" for a new one):
# the offers, sorted, on one line
framework=""
complete_words() {
	bash -c '
		[ -n "$1" ] && . "$1"
		. "$2"; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		case $1 in plsync) _plsync ;; *) _plsync_tool ;; esac
		printf "%s\n" "${COMPREPLY[@]}"' _ "$framework" "$script" "$@" 2>"$T/complete.err" | sort | tr '\n' ' '
}

"$PLSYNC" --dir "$T/d" init --node LIN01 >/dev/null
"$PLSYNC" --dir "$T/d" add staff --id E100 name="Ann Lee" category=certified >/dev/null
"$PLSYNC" --dir "$T/d" add staff --id E200 name="Pat Rivera" category=certified >/dev/null
entry=$("$PLSYNC" --dir "$T/d" add pd_entry staff=E100 title="Fractions workshop" type=workshop hours=6)

desc "bash reads the completion script"; ok bash -n "$script"
runs() {
	label=$1
	like "$(complete_words plsync "")" "(^| )add .*status .*sync " "$label: a new word after plsync offers the commands"
	is "$(complete_words plsync sy)" "sync " "$label: 'sy' completes to sync"
	is "$(cat "$T/complete.err")" "" "$label: completing prints no error"
	like "$(complete_words plsync sync --)" "--quiet --remote --watch" "$label: sync's options include --watch"
	like "$(complete_words plsync add "")" "activity approval_rule credit_type goal offering pd_entry plan plc_meeting requirement school staff " "$label: add offers the kinds"
	is "$(complete_words plsync add pd_)" "pd_entry " "$label: 'pd_' completes to the kind pd_entry"
	like "$(complete_words plsync add pd_entry ti)" "^title= $" "$label: a field of the kind, with its '='"
	like "$(complete_words plsync add pd_entry approvals.su)" "approvals\.supervisor\.by= " "$label: nested fields are dotted"
	is "$(complete_words plsync --dir "$T/d" show "")" "E100 E200 $entry " "$label: show offers the ids in the --dir store"
	is "$(complete_words plsync --dir "$T/d" transcript "")" "E100 E200 " "$label: transcript offers the staff ids only"
	like "$(complete_words plsync --dir "$T/d" set E100 na)" "^name= $" "$label: set offers the fields of the record's kind"
	is "$(complete_words plsync export staff --format "")" "csv jsonl " "$label: an option's values come from the synopsis"
	like "$(complete_words plsync config sync.b)" "sync.backoff sync.backoffmax " "$label: config offers the keys"
	is "$(complete_words plsync help st)" "status " "$label: help offers the commands"
	is "$(complete_words plsync-district "")" "$district_cmds" "$label: plsync-district offers its commands (those its --help lists, and help)"
	like "$(complete_words plsync-audit v)" "verify " "$label: plsync-audit offers its commands"
}
# what plsync-district's --help lists, and help, sorted as bash offers them
district_cmds=$( { "$build/bin/plsync-district" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'; echo help; } |
	LC_ALL=C sort -u | tr '\n' ' ')
like "$district_cmds" "^bundle .*merge .*status " "plsync-district's --help lists its commands"
runs "plain bash"
bc=/usr/share/bash-completion/bash_completion
if [ -r "$bc" ]; then
	framework=$bc
	runs "with bash-completion"
else
	echo "# bash-completion is not installed: the run with its helpers is left out"
fi

done_testing
