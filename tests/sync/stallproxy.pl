#!/usr/bin/perl
# stallproxy.pl LISTEN_PORT TARGET_PORT N — a TCP proxy on 127.0.0.1 that
# forwards each connection to 127.0.0.1:TARGET_PORT until N bytes have passed
# through it (counting both directions), then forwards nothing more but holds
# both sides open: a link that stalls in the middle of a transfer. N = 0 is a
# server that accepts each connection and never says anything (TARGET_PORT is
# not used). Prints "listening" on stdout once it accepts connections, and
# "stalled after B bytes" when a connection stalls; runs until killed.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($listen_port, $target_port, $limit) = @ARGV;
die "usage: stallproxy.pl LISTEN_PORT TARGET_PORT N\n" unless defined $limit;
$SIG{PIPE} = 'IGNORE';
my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $listen_port,
                                   Proto => 'tcp', Listen => 16, ReuseAddr => 1)
	or die "stallproxy: cannot listen on 127.0.0.1:$listen_port: $!\n";
$| = 1;
print "listening\n";

my $sel = IO::Select->new($server);
my (%peer, %count, @held);   # socket -> other side; socket -> bytes of its connection (shared ref)

sub drop {
	my ($s) = @_;
	my @pair = ($s, $peer{$s});
	for my $x (@pair) {
		next unless defined $x;
		$sel->remove($x);
		delete $peer{$x};
		delete $count{$x};
		close $x;
	}
}

for (;;) {
	for my $s ($sel->can_read) {
		if ($s == $server) {
			my $c = $server->accept or next;
			if (!$limit) { push @held, $c; next; }   # never read, never answer
			my $t = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $target_port, Proto => 'tcp');
			unless ($t) { close $c; next; }
			my $n = 0;
			@peer{$c, $t} = ($t, $c);
			@count{$c, $t} = (\$n, \$n);
			$sel->add($c, $t);
			next;
		}
		next unless exists $peer{$s};
		my $buf;
		my $r = sysread($s, $buf, 16384);
		if (!$r) { drop($s); next; }
		my $left = $limit - ${$count{$s}};
		if ($left <= length $buf) {
			syswrite($peer{$s}, $buf, $left) if $left > 0;
			print "stalled after $limit bytes\n";
			my $o = $peer{$s};
			for my $x ($s, $o) {   # the link stalls: keep both open, read nothing more
				$sel->remove($x);
				delete $peer{$x};
				delete $count{$x};
				push @held, $x;
			}
			next;
		}
		${$count{$s}} += length $buf;
		syswrite($peer{$s}, $buf);
	}
}
