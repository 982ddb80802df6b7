#!/usr/bin/perl
# cutproxy.pl LISTEN_PORT TARGET_PORT N — a TCP proxy on 127.0.0.1 that
# forwards each connection to 127.0.0.1:TARGET_PORT and cuts it (closes both
# sides) once N bytes have passed through it, counting both directions: a
# network link that drops in the middle of a transfer. N = 0 never cuts.
# Prints "listening" on stdout once it accepts connections, and the bytes
# each connection carried when it ends; runs until killed.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($listen_port, $target_port, $limit) = @ARGV;
die "usage: cutproxy.pl LISTEN_PORT TARGET_PORT N\n" unless defined $limit;
$SIG{PIPE} = 'IGNORE';
my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $listen_port,
                                   Proto => 'tcp', Listen => 16, ReuseAddr => 1)
	or die "cutproxy: cannot listen on 127.0.0.1:$listen_port: $!\n";
$| = 1;
print "listening\n";

my $sel = IO::Select->new($server);
my (%peer, %count);   # socket -> other side; socket -> bytes of its connection (shared ref)

sub drop {
	my ($s) = @_;
	my $o = $peer{$s};
	print "connection closed after ${$count{$s}} bytes\n" if exists $count{$s};
	for my $x ($s, $o) {
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
		my $left = $limit ? $limit - ${$count{$s}} : length $buf;
		if ($left < length $buf) {
			syswrite($peer{$s}, $buf, $left) if $left > 0;
			drop($s);   # the link goes down here
			next;
		}
		${$count{$s}} += length $buf;
		my $off = 0;
		while ($off < length $buf) {
			my $w = syswrite($peer{$s}, $buf, length($buf) - $off, $off);
			if (!defined $w) { drop($s); last; }
			$off += $w;
		}
	}
}
