# tests/sync/sync-lib.sh — what the sync tests share. Source it after lib.sh:
#
#   free_port                 print a free TCP port on 127.0.0.1
#   wait_port PORT [SECS]     wait until something listens on 127.0.0.1:PORT
#   started PID               stop PID (and its process group) at exit
#   pl NAME ARGS...           run plsync on data dir $T/NAME, bounded in time
#   agent NAME NODE URL       init an agent for NODE with remote URL (+ agent_setup)
#   converge LABEL URL REPO   the whole story over one transport: a DISTRICT
#                             agent and two schools (LIN01, WAS02) converge
#   field JSON KEY            the first "KEY": value of pretty JSON on stdin
#   remote_snapshot NAME      what a refused sync of NAME must not change: the
#                             refs of $repo, NAME's seq, ops, records, pushed
#                             and unpushed counts, and its log
#   late_entry NAME           NAME (a school) records an entry to push; sets
#                             $before to remote_snapshot NAME
#   late_entry_arrives LABEL HOW
#                             LABEL-lin's sync (set up HOW) pushes it, and
#                             LABEL-dist fetches it; git fsck passes on $repo
#   need_lighttpd             set $lighttpd, or skip the whole test
#   lighttpd_conf PORT USERS [TLS_PORT]
#                             $T/lighttpd.conf: git http-backend for $T/srv
#                             under /git/, basic auth from the file USERS; TLS
#                             on TLS_PORT with $T/server.pem and .key
#   lighttpd_start PORT       start lighttpd on $T/lighttpd.conf (stopped at
#                             exit), and test that it listens on PORT
#   pd_rows FILE FIRST COUNT STAFF
#                             a pd_entry CSV of COUNT rows for STAFF whose
#                             titles do not compress away (a pack of about
#                             50 bytes a row)
#   stall N TARGET_PORT       start tests/sync/cutproxy.pl in stall mode (a
#                             link that stalls after N bytes; N = 0: a server
#                             that never answers), set $sport and $stall_pid
#   stall_stop                stop it
#
# Servers started by a test are stopped at exit, whatever happens.
top=$(cd "$(dirname "$0")/../.." && pwd)
DISTRICT_TOOL="$build/bin/plsync-district"
# libgit2 1.5's own leaks under LeakSanitizer (tests/lsan.supp), also when
# prove runs the test directly rather than make
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}"
SYNC_TIMEOUT=${SYNC_TIMEOUT:-60}
_pids=""

stop_servers() {
	for pid in $_pids; do
		kill "$pid" 2>/dev/null
	done
	for pid in $_pids; do
		# a server that ignores TERM for 2 s gets KILL
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null
	done
	_pids=""
}
trap 'stop_servers; rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

started() { _pids="$_pids $1"; }

free_port() {
	perl -MIO::Socket::INET -e '
		for (1..50) {
			my $p = 20000 + int(rand(40000));
			my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $p,
			                              Proto => "tcp", Listen => 1, ReuseAddr => 0) or next;
			close $s; print "$p\n"; exit 0;
		}
		exit 1;'
}

wait_port() {
	perl -MIO::Socket::INET -MTime::HiRes=sleep -e '
		my ($port, $secs) = @ARGV;
		for (1 .. $secs * 20) {
			my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
			                              Proto => "tcp", Timeout => 1);
			if ($s) { close $s; exit 0 }
			sleep 0.05;
		}
		exit 1;' "$1" "${2:-10}"
}

# until CMD succeeds, at most 40 s (a bound, not a timing assertion)
wait_for() {
	_w=0
	while ! "$@" >/dev/null 2>&1; do
		[ $_w -ge 200 ] && return 1
		sleep 0.2; _w=$((_w + 1))
	done
}
# a git daemon on 127.0.0.1:$port serving $T/srv (stopped with the test's servers)
daemon_start() {
	git daemon --export-all --enable=receive-pack --base-path="$T/srv" --reuseaddr \
		--listen=127.0.0.1 --port="$port" "$T/srv" >>"$T/daemon.log" 2>&1 &
	daemon_pid=$!
	started $daemon_pid
	wait_port "$port" 10
}
daemon_stop() { kill "$daemon_pid" && wait "$daemon_pid" 2>/dev/null; ! wait_port "$port" 1; }

pl() {
	_pl_dir=$1; shift
	timeout "$SYNC_TIMEOUT" "$PLSYNC" --dir "$T/$_pl_dir" "$@"
}

# Overridden by a test that needs credentials, a CA file, an ssh key...
agent_setup() { :; }

agent() {
	"$PLSYNC" --dir "$T/$1" init --node "$2" --user "$2 Clerk <clerk@$2.example>" --remote "$3" >/dev/null &&
		agent_setup "$T/$1"
}

# count KIND in NAME's store
count() { pl "$1" ls "$2" --json | grep -c "\"kind\": \"$2\""; }
# number of ops of NODE in NAME's log
node_ops() { pl "$1" log --json | grep -c "\"node\": \"$2\""; }
field() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n 1; }
sync_field() { pl "$1" status --json | sed -n '/"sync"/,/}/p' | field "$2"; }

fsck_all() { # repo dir...
	_f_repo=$1; shift
	git -C "$_f_repo" fsck --strict --no-progress >/dev/null 2>"$T/.fsck" || { cat "$T/.fsck" >&2; return 1; }
	for _f_d in "$@"; do
		git -C "$T/$_f_d/git" fsck --strict --no-progress >/dev/null 2>"$T/.fsck" ||
			{ cat "$T/.fsck" >&2; return 1; }
	done
}

agents3() { agent "$1-dist" DISTRICT "$2" && agent "$1-lin" LIN01 "$2" && agent "$1-was" WAS02 "$2"; }
roster() {
	pl "$1" add school --id LIN01 code=LIN01 name="Lincoln Elementary" level=elementary &&
	pl "$1" add school --id WAS02 code=WAS02 name="Washington Middle" level=middle &&
	pl "$1" add staff --id E100 name="Ann Lee" category=certified school=LIN01 &&
	pl "$1" add staff --id E200 name="Pat Rivera" category=certified school=WAS02 &&
	pl "$1" add staff --id E300 name="Sam Ortiz" category=noninstructional school=LIN01
}
school_work() {
	pl "$1-lin" add pd_entry staff=E100 title="Fractions workshop" type=workshop hours=6.5 &&
	pl "$1-lin" add pd_entry staff=E300 title="Safety training" type=training hours=2 &&
	pl "$1-was" add pd_entry staff=E200 title="Leading PLCs" type=seminar hours=3
}
check_all() {
	for _ca in "$@"; do pl "$_ca" check || return 1; done
}

# The whole story over one transport. LABEL names the data dirs
# ($T/LABEL-dist, -lin, -was), URL is how agents reach the district repository
# and REPO where it is on disk.
converge() {
	_c=$1 _url=$2 _repo=$3
	desc "$_c: three agents are set up for $_url"; ok agents3 "$_c" "$_url"
	desc "$_c: DISTRICT records the schools and the staff roster"; ok roster "$_c-dist"
	desc "$_c: DISTRICT syncs its roster"; ok pl "$_c-dist" sync
	desc "$_c: LIN01 syncs"; ok pl "$_c-lin" sync
	desc "$_c: WAS02 syncs"; ok pl "$_c-was" sync
	is "$(count "$_c-lin" staff)/$(count "$_c-was" staff)" "3/3" "$_c: each school has the district's three staff"
	desc "$_c: the schools record PD offline"; ok school_work "$_c"
	is "$(sync_field "$_c-lin" unpushed_ops)" "2" "$_c: LIN01's status shows two unpushed ops"
	desc "$_c: LIN01 syncs its work"; ok pl "$_c-lin" sync
	like "$(cat "$T/.out")" "committed ops 1\.\.2 to nodes/LIN01" "$_c: LIN01 says what it committed"
	is "$(sync_field "$_c-lin" unpushed_ops)/$(sync_field "$_c-lin" unpushed_commits)" "0/0" \
		"$_c: after the sync LIN01 has no unpushed ops or commits"
	desc "$_c: WAS02 syncs its work"; ok pl "$_c-was" sync
	git config -f "$T/$_c-dist/config" --add sync.follow LIN01
	git config -f "$T/$_c-dist/config" --add sync.follow WAS02
	desc "$_c: DISTRICT, following both schools, syncs"; ok pl "$_c-dist" sync
	like "$(cat "$T/.out")" "fetched: 3 new ops applied" "$_c: DISTRICT applied the three school ops"
	is "$(count "$_c-dist" pd_entry)" "3" "$_c: DISTRICT has every school's PD entries"
	desc "$_c: DISTRICT adds a staff member later"
	ok pl "$_c-dist" add staff --id E400 name='Lee Chan' category=certified school=WAS02
	desc "$_c: DISTRICT syncs again"; ok pl "$_c-dist" sync
	desc "$_c: LIN01 syncs again"; ok pl "$_c-lin" sync
	desc "$_c: WAS02 syncs again"; ok pl "$_c-was" sync
	is "$(count "$_c-lin" staff)/$(count "$_c-was" staff)/$(count "$_c-dist" staff)" "4/4/4" \
		"$_c: every agent has the same four staff"
	is "$(pl "$_c-lin" export staff --format jsonl)" "$(pl "$_c-dist" export staff --format jsonl)" \
		"$_c: LIN01's roster is identical to DISTRICT's"
	is "$(pl "$_c-was" export pd_entry --format jsonl)" \
		"$(pl "$_c-dist" export pd_entry --format jsonl | grep '"id":"WAS02-')" \
		"$_c: WAS02's PD entries arrived at DISTRICT unchanged"
	desc "$_c: every store checks out"; ok check_all "$_c-dist" "$_c-lin" "$_c-was"
	is "$(git -C "$_repo" for-each-ref --format='%(refname)' refs/heads/nodes | tr '\n' ' ')" \
		"refs/heads/nodes/DISTRICT refs/heads/nodes/LIN01 refs/heads/nodes/WAS02 " \
		"$_c: the district repository has one ref per node"
	desc "$_c: git fsck --strict passes on the district repository and every mirror"
	ok fsck_all "$_repo" "$_c-dist" "$_c-lin" "$_c-was"
}

remote_snapshot() {
	echo "refs: $(git -C "$repo" for-each-ref | tr '\n' ' ')"
	pl "$1" status --json | grep -E '^  "(seq|ops|records)"|"unpushed_ops"|"pushed"'
	pl "$1" log --json | md5sum
}
late_entry() {
	desc "LIN01 records an entry"; ok pl "$1" add pd_entry staff=E100 title="Late entry" type=workshop
	before=$(remote_snapshot "$1")
}
late_entry_arrives() {
	desc "with $2 the sync completes"; ok pl "$1-lin" sync
	is "$(sync_field "$1-lin" unpushed_ops)" "0" "the entry is pushed"
	desc "DISTRICT gets it over $1"; ok pl "$1-dist" sync
	is "$(count "$1-dist" pd_entry)" "4" "DISTRICT has the late entry too"
	desc "git fsck --strict passes on the $1 repository"; ok git -C "$repo" fsck --strict --no-progress
}

need_lighttpd() {
	lighttpd=$(command -v lighttpd || echo /usr/sbin/lighttpd)
	if [ ! -x "$lighttpd" ]; then
		echo "1..0 # SKIP lighttpd is not installed (scripts/install-deps installs it)"
		exit 0
	fi
}
lighttpd_conf() {
	_lc_modules='"mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi"'
	[ -n "${3:-}" ] && _lc_modules="$_lc_modules, \"mod_openssl\""
	mkdir -p "$T/www"
	cat > "$T/lighttpd.conf" <<CONF
server.document-root = "$T/www"
server.bind          = "127.0.0.1"
server.port          = $1
server.pid-file      = "$T/lighttpd.pid"
server.errorlog      = "$T/lighttpd.log"
server.modules       = ( $_lc_modules )
alias.url            = ( "/git" => "/usr/lib/git-core/git-http-backend" )
\$HTTP["url"] =~ "^/git" {
	cgi.assign = ( "" => "" )
	setenv.set-environment = ( "GIT_PROJECT_ROOT" => "$T/srv", "GIT_HTTP_EXPORT_ALL" => "1" )
}
auth.backend                = "plain"
auth.backend.plain.userfile = "$2"
auth.require = ( "/git/" => ( "method" => "basic", "realm" => "plsync district", "require" => "valid-user" ) )
CONF
	[ -n "${3:-}" ] && cat >> "$T/lighttpd.conf" <<CONF
\$SERVER["socket"] == "127.0.0.1:$3" {
	ssl.engine  = "enable"
	ssl.pemfile = "$T/server.pem"
	ssl.privkey = "$T/server.key"
}
CONF
	:
}
lighttpd_start() {
	"$lighttpd" -D -f "$T/lighttpd.conf" >"$T/lighttpd.out" 2>&1 &
	started $!
	desc "lighttpd listens on 127.0.0.1:$1"; ok wait_port "$1" 10
}

pd_rows() {
	awk -v first="$2" -v n="$3" -v staff="$4" 'BEGIN {
		srand(first)
		print "staff,title,type,start,hours,cost_cents,funding,standards,notes"
		for (i = first; i < first + n; i++) {
			t = ""
			for (j = 0; j < 6; j++) t = t sprintf("%08x", int(rand() * 4294967296))
			printf "%s,Workshop %d %s,workshop,2026-10-%02d,%d.5,%d,local,,row %d\n", staff, i, t, i % 28 + 1, i % 7, i * 10, i
		}
	}' > "$1"
}
stall() {
	sport=$(free_port)
	perl "$top/tests/sync/cutproxy.pl" "$sport" "$2" "$1" stall >"$T/stall.out" 2>&1 &
	stall_pid=$!
	started $stall_pid
	wait_port "$sport" 10
}
stall_stop() { kill "$stall_pid"; wait "$stall_pid" 2>/dev/null; }
