#!/bin/sh
# `make deb`: plsync_<version>_<arch>.deb and its -dbgsym, built from the
# tree; lintian finds no error in either; the programs in it are stripped,
# their debug information is in the -dbgsym package under the build id
# they name; it carries the man pages, units, hook and completion, and
# depends on the runtime libraries' packages. Installed with `dpkg --root`
# into a throw-away root (its own dpkg database and /etc/passwd; the
# postinst runs without chroot and writes only there), plsync runs from it,
# the postinst made the plsync user there, and removing it removes it.
. "$(dirname "$0")/../lib.sh"

if ! command -v dpkg-deb >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
	echo "1..0 # SKIP not a Debian system (no dpkg-deb)"
	exit 0
fi
version=$(sed -n 's/^#define PLSYNC_VERSION "\(.*\)"$/\1/p' "$top/include/plsync/plsync.h")
arch=$(dpkg --print-architecture)
deb="$build/deb/plsync_${version}_${arch}.deb"
dbgsym="$build/deb/plsync-dbgsym_${version}_${arch}.deb"
rm -f "$deb" "$dbgsym"

desc "make deb builds the packages"; ok make -s -C "$top" deb BUILD="$build"
desc "plsync_${version}_${arch}.deb is there"; ok test -s "$deb"
desc "and its -dbgsym"; ok test -s "$dbgsym"
if command -v lintian >/dev/null 2>&1; then
	for p in "$deb" "$dbgsym"; do
		desc "lintian finds no error in ${p##*/}"
		ok lintian --fail-on error "$p"
		grep -h '^[WIE]:' "$T/.out" "$T/.err" | sed 's/^/# lintian: /'
	done
else
	echo "# lintian is not installed (scripts/install-deps --deb): not run"
fi

dpkg-deb -f "$deb" Depends >"$T/depends"
for lib in libc6 libgit2 liblmdb libmsgpackc libjansson libcsv zlib1g adduser; do
	grep -q "$lib" "$T/depends" || echo "$lib"
done >"$T/nodep"
is "$(cat "$T/nodep")" "" "it depends on the runtime libraries' packages and adduser"
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$T/contents"
for f in ./usr/bin/plsync ./usr/bin/plsync-district ./usr/bin/plsync-audit ./usr/share/man/man1/plsync.1.gz \
	./usr/share/man/man1/plsync-district.1.gz ./usr/share/man/man1/plsync-audit.1.gz \
	./usr/share/man/man5/plsync-config.5.gz ./usr/lib/systemd/system/plsync-sync@.service \
	./usr/lib/systemd/system/plsync-sync@.timer ./usr/lib/systemd/system/plsync-serve@.service \
	./usr/lib/systemd/system/plsync-district-merge.timer ./usr/lib/NetworkManager/dispatcher.d/90-plsync \
	./usr/share/bash-completion/completions/plsync ./usr/share/doc/plsync/copyright; do
	grep -qx "$f" "$T/contents" || echo "$f"
done >"$T/absent"
is "$(cat "$T/absent")" "" "it holds the programs, the compressed man pages, the units, the hook, the completion, the copyright"
is "$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/plsync-sync@.service |
	grep -c '^ExecStart=/usr/bin/plsync ')" "1" "its units run /usr/bin/plsync"

mkdir -p "$T/x" "$T/xd"
dpkg-deb -x "$deb" "$T/x"
dpkg-deb -x "$dbgsym" "$T/xd"
: >"$T/strip"
for b in plsync plsync-district plsync-audit; do
	f="$T/x/usr/bin/$b"
	readelf -S "$f" | grep -q '\.debug_info' && echo "$b still has .debug_info"
	readelf -S "$f" | grep -q '\.symtab' && echo "$b still has a symbol table"
	readelf -S "$f" | grep -q '\.gnu_debuglink' || echo "$b has no .gnu_debuglink"
	id=$(readelf -n "$f" | sed -n 's/^ *Build ID: \([0-9a-f]*\)$/\1/p')
	rest=${id#??}
	d="$T/xd/usr/lib/debug/.build-id/${id%"$rest"}/$rest.debug"
	[ -n "$id" ] && [ -f "$d" ] || { echo "$b: no debug file for build id '$id'"; continue; }
	readelf -S "$d" 2>/dev/null | grep -q '\.debug_info' || echo "$b: its debug file has no .debug_info"
	[ "$(readelf -n "$d" 2>/dev/null | sed -n 's/^ *Build ID: \([0-9a-f]*\)$/\1/p')" = "$id" ] || echo "$b: build ids differ"
done >"$T/strip"
is "$(cat "$T/strip")" "" "the programs are stripped; each one's debug information is in -dbgsym under its build id"
is "$(dpkg-deb -f "$dbgsym" Depends)" "plsync (= $version)" "-dbgsym depends on this very plsync"

# a throw-away root with its own dpkg database and users
R="$T/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" "$R/etc"
: >"$R/var/lib/dpkg/status"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
printf 'root:*:19000:0:99999:7:::\n' >"$R/etc/shadow"
printf 'root:*::\n' >"$R/etc/gshadow"
chmod 600 "$R/etc/shadow" "$R/etc/gshadow"
host_passwd=$(md5sum </etc/passwd)
# --force-depends: the libraries are the host's, not in this root's database
dpkg_root() { dpkg --root="$R" --force-script-chrootless --force-depends --log="$T/dpkg.log" "$@"; }
desc "dpkg --root installs the package into the throw-away root"; ok dpkg_root -i "$deb"
like "$(dpkg --root="$R" -s plsync 2>/dev/null | grep '^Status:')" "install ok installed" "dpkg there knows it as installed"
is "$("$R/usr/bin/plsync" --version)" "plsync $version" "plsync --version runs from the root"
is "$("$R/usr/bin/plsync-district" --version)/$("$R/usr/bin/plsync-audit" --version)" \
	"plsync-district $version/plsync-audit $version" "so do the tools"
desc "the installed plsync creates and reads a data dir"
ok sh -c "'$R/usr/bin/plsync' --dir '$T/data' init --node LIN01 && '$R/usr/bin/plsync' --dir '$T/data' status"
like "$(grep '^plsync:' "$R/etc/passwd")" "^plsync:x:[0-9]+:[0-9]+:.*:/var/lib/plsync:/usr/sbin/nologin$" \
	"the postinst made the plsync system user in the root"
uid=$(awk -F: '$1 == "plsync" { print $3 }' "$R/etc/passwd")
is "$(stat -c '%u %a' "$R/var/lib/plsync")" "$uid 750" "and its home /var/lib/plsync, its own, mode 750"
is "$(md5sum </etc/passwd)" "$host_passwd" "the host's /etc/passwd is untouched"
desc "the -dbgsym package installs beside it"; ok dpkg_root -i "$dbgsym"
desc "the postinst run again keeps the user (as on an upgrade)"
ok env DPKG_ROOT="$R" sh "$R/var/lib/dpkg/info/plsync.postinst" configure "$version"
is "$(grep -c '^plsync:' "$R/etc/passwd")" "1" "still one plsync user"
desc "dpkg --root removes both"; ok dpkg_root -r plsync-dbgsym plsync
is "$(ls "$R/usr/bin" 2>/dev/null | wc -l)" "0" "no program is left in the root"

done_testing
