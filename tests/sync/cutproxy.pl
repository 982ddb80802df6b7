#!/usr/bin/perl
# cutproxy.pl LISTEN_PORT TARGET_PORT N [stall] — a TCP proxy on 127.0.0.1
# that forwards each connection to 127.0.0.1:TARGET_PORT and cuts it (closes
# both sides) once N bytes have passed through it, counting both directions:
# a network link that drops in the middle of a transfer. N = 0 never cuts.
# With "stall" it does not cut but stalls: forwards nothing more and holds
# both sides open (prints "stalled after N bytes"); N = 0 then is a server
# that accepts each connection and never says anything (TARGET_PORT unused).
# Prints "listening" on stdout once it accepts connections, and the bytes
# each connection carried when it ends; runs until killed.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($listen_port, $target_port, $limit, $mode) = @ARGV;
die "usage: cutproxy.pl LISTEN_PORT TARGET_PORT N [stall]\n" unless defined $limit;
my $stall = defined $mode && $mode eq 'stall';
$SIG{PIPE} = 'IGNORE';
my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $listen_port,
                                   Proto => 'tcp', Listen => 16, ReuseAddr => 1)
	or die "cutproxy: cannot listen on 127.0.0.1:$listen_port: $!\n";
$| = 1;
print "listening\n";

my $sel = IO::Select->new($server);
my (%peer, %count, @held);   # socket -> other side; socket -> bytes of its connection (shared ref); stalled ones

sub drop {   # close the connection of socket s, or with hold keep it open but stalled
	my ($s, $hold) = @_;
	my $o = $peer{$s};
	print "connection closed after ${$count{$s}} bytes\n" if exists $count{$s};
	for my $x ($s, $o) {
		next unless defined $x;
		$sel->remove($x);
		delete $peer{$x};
		delete $count{$x};
		if ($hold) { push @held, $x; } else { close $x; }
	}
}

for (;;) {
	for my $s ($sel->can_read) {
		if ($s == $server) {
			my $c = $server->accept or next;
			if ($stall && !$limit) { push @held, $c; next; }   # never read, never answer
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
			print "stalled after $limit bytes\n" if $stall;
			drop($s, $stall);   # the link goes down (or stalls) here
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
