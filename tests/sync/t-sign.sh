#!/bin/sh
# Signed history, the node's side: `plsync init` makes an Ed25519 key
# (DIR/node.key, 0600, in the OpenSSH format) or takes --key FILE, and
# prints its public line and fingerprint as ssh-keygen prints them; every
# node commit a sync or a bundle makes is signed so that plain git
# (`git verify-commit`, gpg.format = ssh) and `ssh-keygen -Y verify` accept
# it; a data dir made before signing gets its key on the first sync.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"

R="$T/srv/district.git"
D() { "$DISTRICT_TOOL" "$@"; }
mkdir -p "$T/srv"
D init "$R" >/dev/null

# --- the key made at init ---
desc "init makes the node's key and prints it"
ok "$PLSYNC" --dir "$T/lin" init --node LIN01 --user "Ann <ann@lin.example>" --remote "$R"
out=$(cat "$T/.out")
like "$out" "^ssh-ed25519 AAAA[A-Za-z0-9+/]+=* plsync:LIN01$" "init prints the public line, comment plsync:LIN01"
like "$out" "256 SHA256:[A-Za-z0-9+/]{43} plsync:LIN01 \(ED25519\)" "init prints the fingerprint as ssh-keygen -l does"
is "$(stat -c %a "$T/lin/node.key")" 600 "the private key is mode 0600"
desc "plsync key --public prints the line alone"; ok pl lin key --public
pub=$(cat "$T/.out")
is "$(printf '%s\n' "$pub" | wc -l)" 1 "one line"
is "$pub" "$(ssh-keygen -y -f "$T/lin/node.key")" "ssh-keygen reads the private key and derives the same public line"
printf '%s\n' "$pub" >"$T/lin.pub"
desc "plsync key prints the fingerprint"; ok pl lin key
is "$(sed -n 2p "$T/.out")" "$(ssh-keygen -lf "$T/lin.pub")" "the fingerprint is ssh-keygen -lf's of the same public key"
desc "a second init of the dir is refused"; fails 1 "$PLSYNC" --dir "$T/lin" init --node LIN01
is "$(ssh-keygen -y -f "$T/lin/node.key")" "$pub" "and the key is not replaced"

# --- --key FILE: an existing OpenSSH key ---
ssh-keygen -q -t ed25519 -N '' -C someone@host -f "$T/own" </dev/null
desc "init --key takes an existing ssh-ed25519 key"
ok "$PLSYNC" --dir "$T/was" init --node WAS02 --remote "$R" --key "$T/own"
is "$(pl was key --public | cut -d' ' -f1-2)" "$(cut -d' ' -f1-2 "$T/own.pub")" "its public key is the file's"
ssh-keygen -q -t ed25519 -N secret -f "$T/enc" </dev/null
desc "an encrypted key is refused"; fails 1 "$PLSYNC" --dir "$T/x1" init --node X1 --key "$T/enc"
like "$(cat "$T/.err")" "encrypted" "the message says it is encrypted"
[ ! -e "$T/x1/store" ]; is $? 0 "and no data dir is made"
ssh-keygen -q -t rsa -b 2048 -N '' -f "$T/rsa" </dev/null
desc "an RSA key is refused"; fails 1 "$PLSYNC" --dir "$T/x2" init --node X2 --key "$T/rsa"
like "$(cat "$T/.err")" "ed25519" "the message says plsync needs ed25519"
desc "a missing key file is refused"; fails 1 "$PLSYNC" --dir "$T/x3" init --node X3 --key "$T/nope"

# --- signed commits ---
{ printf 'LIN01 '; cat "$T/lin.pub"; printf 'WAS02 '; cat "$T/own.pub"; } >"$T/signers"
desc "LIN01 records and syncs"; ok sh -c "
	'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name=Lincoln >/dev/null &&
	'$PLSYNC' --dir '$T/lin' sync >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='Ann Lee' category=certified school=LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' sync >/dev/null"
desc "WAS02 records and syncs"; ok sh -c "
	'$PLSYNC' --dir '$T/was' add school --id WAS02 code=WAS02 name=Washington >/dev/null &&
	'$PLSYNC' --dir '$T/was' sync >/dev/null"

# every commit of a ref: git verify-commit, and ssh-keygen -Y verify on the
# signature and the signed text taken apart by hand
verify_ref() { # NODE
	n=0
	for c in $(git -C "$R" rev-list "refs/heads/nodes/$1"); do
		git -C "$R" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/signers" verify-commit "$c" \
			2>"$T/.v" || { cat "$T/.v" >&2; return 1; }
		grep -q "Good \"git\" signature for $1 " "$T/.v" || { cat "$T/.v" >&2; return 1; }
		git -C "$R" cat-file commit "$c" | perl -e '
			local $/; my $c = <STDIN>; my ($sig) = $c =~ /^gpgsig (.*?\n)(?=[^ ])/ms or exit 1;
			(my $data = $c) =~ s/^gpgsig .*?\n(?=[^ ])//ms; $sig =~ s/^ //mg;
			open my $s, ">", $ARGV[0] or die; print $s $sig; open my $d, ">", $ARGV[1] or die; print $d $data;' \
			"$T/c.sig" "$T/c.data" || return 1
		ssh-keygen -Y verify -f "$T/signers" -I "$1" -n git -s "$T/c.sig" <"$T/c.data" >"$T/.v" 2>&1 ||
			{ cat "$T/.v" >&2; return 1; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] && echo "$n"
}
desc "git verify-commit and ssh-keygen -Y verify accept every LIN01 commit"; ok verify_ref LIN01
is "$(verify_ref LIN01)" 2 "both of LIN01's commits were checked"
desc "... and every WAS02 commit (signed with the --key file)"; ok verify_ref WAS02
sed 's/^LIN01 /WAS02 /; t; s/^WAS02 /LIN01 /' "$T/signers" >"$T/swapped"
# git names the principal the key is enrolled for, whatever the ref: which
# node may write which ref is the merge's check (t-forge.sh)
git -C "$R" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/swapped" verify-commit refs/heads/nodes/LIN01 \
	>/dev/null 2>"$T/.v"
like "$(cat "$T/.v")" "Good \"git\" signature for WAS02 " "git names the node a key is enrolled for, not the ref's"
desc "an unsigned commit (the old way) is refused by git verify-commit"
ok sh -c "git -C '$R' commit-tree -m x \$(git -C '$R' rev-parse 'refs/heads/nodes/LIN01^{tree}') >'$T/unsigned'"
fails 1 git -C "$R" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/signers" verify-commit "$(cat "$T/unsigned")"

# --- bundles carry the signed commits ---
desc "LIN01 writes a bundle"; ok sh -c "
	'$PLSYNC' --dir '$T/lin' add staff --id E101 name='Bo Diaz' category=certified school=LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' bundle create '$T/b.plsync' --since 2"
desc "the district lands it"; ok D bundle apply "$R" "$T/b.plsync"
is "$(verify_ref LIN01)" 3 "the bundle's commit is signed too and verifies"

# --- a data dir made before signing ---
"$PLSYNC" --dir "$T/old" init --node OLD01 --remote "$R" >/dev/null
rm "$T/old/node.key"
pl old add school --id OLD01 code=OLD01 name=Old >/dev/null
desc "a data dir without a key syncs"; ok pl old sync
like "$(cat "$T/.err")" "had no signing key: made .*node.key" "and says it made one"
{ printf 'OLD01 '; pl old key --public; } >>"$T/signers"
desc "its commit is signed by the new key"; ok verify_ref OLD01

desc "git fsck --strict passes on every repository"; ok fsck_all "$R" lin was old
done_testing
