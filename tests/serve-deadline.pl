#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# serve-deadline.pl — stalled FastCGI peers for tests/serve-deadline.bats.
#
#   serve-deadline.pl ADDR MODE N BOUND
#
# Opens N connections to ADDR (HOST:PORT, or the path of a unix socket), prints
# "connected N" once all are open, then, by MODE:
#   idle  sends nothing;
#   drip  sends a well-formed FCGI_BEGIN_REQUEST record one byte every 0.5 s
#         (16 bytes: 8 s in all, so no single read ever waits long);
#   keep  sends a complete RESPONDER request (REQUEST_URI=/keep) asking
#         FCGI_KEEP_CONN, reads its answer up to FCGI_END_REQUEST and prints
#         "answered <first line of the answer>"; twice on the same connection,
#         then sends nothing more.
# Then waits, at most BOUND seconds from the start, for the other end to close
# each connection (EOF or reset), and prints one line per connection, in order:
# "closed SECONDS" (from the connect, or from the answer in keep mode, one
# decimal) or "open" (still open at BOUND). Exits 0; 1 on a usage or connect
# error. Output is flushed line by line.
use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time);

$SIG{PIPE} = 'IGNORE';
$| = 1;

my ($addr, $mode, $n, $bound) = @ARGV;
die "usage: serve-deadline.pl ADDR idle|drip|keep N BOUND\n"
    unless defined $bound && $mode =~ /^(idle|drip|keep)$/ && $n =~ /^[1-9]\d*$/;

sub connect_one {
    my $s = $addr =~ m{^/}
        ? IO::Socket::UNIX->new(Peer => $addr, Type => SOCK_STREAM)
        : IO::Socket::INET->new(PeerAddr => $addr, Proto => 'tcp', Timeout => 5);
    $s or do { print STDERR "serve-deadline.pl: connect $addr: $!\n"; exit 1 };
    return $s;
}

# One FastCGI record (version 1), padded to 8 bytes.
sub record {
    my ($type, $content) = @_;
    my $len = length $content;
    my $pad = (8 - $len % 8) % 8;
    return pack('CCnnCC', 1, $type, 1, $len, $pad, 0) . $content . ("\0" x $pad);
}

# A name-value pair with lengths below 128.
sub nv { my ($k, $v) = @_; return pack('CC', length $k, length $v) . $k . $v }

my $start = time;
my @s = map { connect_one() } 1 .. $n;
print "connected $n\n";
my @quiet = ($start) x $n;
my @closed;

if ($mode eq 'keep') {
    my $req = record(1, pack('nCx5', 1, 1))    # FCGI_BEGIN_REQUEST: RESPONDER, KEEP_CONN
        . record(4, nv('REQUEST_URI', '/keep') . nv('REQUEST_METHOD', 'GET'))
        . record(4, '') . record(5, '');
    for my $i (map { ($_, $_) } 0 .. $n - 1) {
        syswrite($s[$i], $req);
        my ($buf, $out, $done) = ('', '', 0);
        my $sel = IO::Select->new($s[$i]);
        while (!$done && time < $start + $bound && $sel->can_read($start + $bound - time)) {
            my $got = sysread($s[$i], $buf, 65536, length $buf);
            last unless $got;
            while (length $buf >= 8) {
                my ($v, $type, $id, $len, $pad) = unpack('CCnnC', $buf);
                last if length $buf < 8 + $len + $pad;
                $out .= substr($buf, 8, $len) if $type == 6;    # FCGI_STDOUT
                $done = 1 if $type == 3;                          # FCGI_END_REQUEST
                substr($buf, 0, 8 + $len + $pad) = '';
            }
        }
        my ($line) = split /\r?\n/, $out;
        print 'answered ', ($done ? $line // '' : 'nothing'), "\n";
        $quiet[$i] = time;
    }
}

my $begin = record(1, pack('nCx5', 1, 0));    # 16 bytes
my @sent = (0) x $n;
my $next_drip = $start + 0.5;
while (time < $start + $bound && grep { !defined $closed[$_] } 0 .. $n - 1) {
    my @open = grep { !defined $closed[$_] } 0 .. $n - 1;
    my %by_fd = map { (fileno($s[$_]) => $_) } @open;
    my $until = $start + $bound;
    $until = $next_drip if $mode eq 'drip' && $next_drip < $until;
    my $wait = $until - time;
    for my $fh (IO::Select->new(map { $s[$_] } @open)->can_read($wait > 0 ? $wait : 0)) {
        my $i = $by_fd{ fileno $fh };
        my $buf;
        my $got = sysread($fh, $buf, 4096);
        $closed[$i] = time - $quiet[$i] if !$got;    # 0: EOF; undef: reset
    }
    if ($mode eq 'drip' && time >= $next_drip) {
        for my $i (grep { !defined $closed[$_] && $sent[$_] < length $begin } 0 .. $n - 1) {
            syswrite($s[$i], substr($begin, $sent[$i]++, 1));
        }
        $next_drip += 0.5;
    }
}
printf "%s\n", defined $_ ? sprintf('closed %.1f', $_) : 'open' for @closed[0 .. $n - 1];
exit 0;
