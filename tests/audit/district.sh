# tests/audit/district.sh — what the district tests share: the district
# repository, the three agents and the helpers that read what they made.
# Source it after tests/lib.sh:
#   $R                       the district repository ($T/district.git)
#   a, w, d CMD...           plsync as LIN01 ($T/lin), WAS02 ($T/was) and
#                            DISTRICT ($T/dist)
#   district, audit CMD...   plsync-district, plsync-audit
#   pj EXPR                  evaluate a perl expression over $j, the JSON on
#                            stdin; print the result (JSON for a ref)
#   state ID                 record ID's state file on R's main
#   agents_init [FOLLOW [NODE...]]
#                            init the agents NODE... (all three when none is
#                            named) with R as their remote; DISTRICT follows
#                            FOLLOW when it is given and not ""
#   district_init [FOLLOW [NODE...]]
#                            `district init R`, then agents_init
#   lin_school               LIN01 records its school and teacher E100
#   lin_merged               LIN01 syncs and the district merges
# LeakSanitizer reads tests/lsan.supp (libgit2 1.5's own leak), also when
# prove runs a test directly rather than make.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}"
R="$T/district.git"
a() { "$PLSYNC" --dir "$T/lin" "$@"; }
w() { "$PLSYNC" --dir "$T/was" "$@"; }
d() { "$PLSYNC" --dir "$T/dist" "$@"; }
district() { "$build/bin/plsync-district" "$@"; }
audit() { "$build/bin/plsync-audit" "$@"; }
pj() { perl -MJSON::PP -0777 -e 'my $j = decode_json(<STDIN>); my $r = eval $ARGV[0]; die $@ if $@;
	print ref $r ? JSON::PP->new->canonical->encode($r) : (defined $r ? $r : "null"), "\n"' "$1"; }
state() { git -C "$R" show "main:$(git -C "$R" ls-tree -r --name-only main | grep "^state/.*/$1.json$")"; }

agents_init() {
	_follow=${1:-}
	[ $# -gt 0 ] && shift
	[ $# -gt 0 ] || set -- DISTRICT LIN01 WAS02
	for _node in "$@"; do
		case $_node in
		DISTRICT) d init --node DISTRICT --user 'Dee Office <dee@district.example>' --remote "$R" ;;
		LIN01) a init --node LIN01 --user 'Ann Lee <ann@lincoln.example>' --remote "$R" ;;
		WAS02) w init --node WAS02 --user 'Wes Park <wes@washington.example>' --remote "$R" ;;
		*) echo "agents_init: no agent $_node" >&2; false ;;
		esac || return 1
	done
	[ -z "$_follow" ] || d config sync.follow "$_follow"
}
district_init() { district init "$R" && agents_init "$@"; }
lin_school() {
	a add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null &&
	a add staff --id E100 name='Ann Lee' category=certified school=LIN01 >/dev/null
}
lin_merged() { a sync >/dev/null && district merge "$R" >/dev/null; }
