#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# tests/differential/client.pl — send request targets to one server exactly as
# written (the bytes of the request line are the bytes of the file: nothing is
# re-encoded or normalized, unlike curl or a browser) and judge every answer.
#
#   perl client.pl NAME PORT CHECKS-FILE
#
# CHECKS-FILE: one check a line, four tab-separated fields:
#   COOKIE  none | user | admin   (the session cookie sent, from the environment
#                                  variables DIFF_COOKIE_USER / DIFF_COOKIE_ADMIN:
#                                  the whole Cookie header value)
#   STATUS  "*" (any) or the allowed statuses, "|"-separated ("307|401")
#   WANT    "-" or a text the answer's body must contain
#   TARGET  the request target; "@ORIGIN@" becomes 127.0.0.1:PORT (absolute form)
# Every check, whatever its line says, also fails when the body holds a canary
# the cookie does not open: "GUARDED-CANARY" or "ADMIN-CANARY" without a cookie,
# "ADMIN-CANARY" with the user cookie.
#
# Prints one "not ok NAME TARGET cookie=… status=… …" line per failed check,
# then "counts NAME <status>=<n>…" and "result NAME passed=N failed=N".
# One connection per request (Connection: close), each bounded to 10 s.
# Uses only modules of Debian's perl-base.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($name, $port, $file) = @ARGV;
die "usage: client.pl NAME PORT CHECKS-FILE\n" unless defined $file;
my %cookie = (none => undef, user => $ENV{DIFF_COOKIE_USER}, admin => $ENV{DIFF_COOKIE_ADMIN});
my %forbidden = (none => ['GUARDED-CANARY', 'ADMIN-CANARY'], user => ['ADMIN-CANARY'], admin => []);
my $origin = "127.0.0.1:$port";

# printable ASCII as is, everything else (and "\" and space) as \xHH
sub show {
    my ($s, $max) = @_;
    my $n = length $s;
    $s = substr($s, 0, $max) . "...(${n} bytes)" if $n > $max;
    $s =~ s/([^\x21-\x5b\x5d-\x7e])/sprintf('\\x%02X', ord $1)/ge;
    return $s;
}

sub fetch {
    my ($target, $ck) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp',
        Timeout => 5) or return '';
    binmode $s;
    my $req = "GET $target HTTP/1.1\r\nHost: $origin\r\nAccept: text/html\r\n"
        . "Connection: close\r\n" . (defined $ck ? "Cookie: $ck\r\n" : '') . "\r\n";
    my $off = 0;
    while ($off < length $req) {
        my $w = syswrite($s, $req, length($req) - $off, $off);
        last unless $w; # the server may close early on a line it refuses
        $off += $w;
    }
    my ($buf, $sel, $end) = ('', IO::Select->new($s), time + 10);
    while (time < $end) {
        last unless $sel->can_read($end - time);
        my $r = sysread($s, $buf, 65536, length $buf);
        last unless $r;
    }
    close $s;
    return $buf;
}

# The body of a "Transfer-Encoding: chunked" answer, joined (what a client
# shows); an ill-formed rest is appended as it is.
sub dechunk {
    my ($b) = @_;
    my $out = '';
    while ($b =~ s/\A([0-9A-Fa-f]+)[^\r\n]*\r?\n//) {
        my $n = hex $1;
        last if $n == 0;
        $out .= substr($b, 0, $n, '');
        $b =~ s/\A\r?\n//;
    }
    return $out . $b;
}

open(my $in, '<:raw', $file) or die "client.pl: $file: $!\n";
my ($pass, $fail, %counts) = (0, 0);
$| = 1;
while (my $line = <$in>) {
    chomp $line;
    next if $line eq '';
    my ($ck, $want_status, $want_body, $target) = split /\t/, $line, 4;
    die "client.pl: bad line $.\n" unless defined $target && exists $cookie{$ck};
    die "client.pl: no cookie for $ck\n" if $ck ne 'none' && !defined $cookie{$ck};
    (my $sent = $target) =~ s/\@ORIGIN\@/$origin/g;
    my $resp = fetch($sent, $cookie{$ck});
    my $status = $resp =~ m{^HTTP/\d\.\d (\d{3})} ? $1 : '000';
    $counts{$status}++;
    my ($head, $body) = $resp =~ /\A(.*?\r?\n)\r?\n(.*)\z/s ? ($1, $2) : ($resp, '');
    $body = dechunk($body) if $head =~ /^Transfer-Encoding:[ \t]*chunked/im;
    my @why;
    # no answer at all (a crash, a hang) fails too: it would hide what it served
    push @why, 'no-answer' if $status eq '000';
    for my $c (@{ $forbidden{$ck} }) {
        # the raw bytes and the de-chunked body: a canary cut by chunking is whole there
        push @why, "LEAK:$c" if index($resp, $c) >= 0 || index($head . $body, $c) >= 0;
    }
    if ($want_status ne '*' && !grep { $_ eq $status } split /\|/, $want_status) {
        push @why, "want-status:$want_status";
    }
    if ($want_body ne '-' && index($body, $want_body) < 0) {
        push @why, "want-body:$want_body";
    }
    if (@why) {
        $fail++;
        my $snip = $body;
        $snip =~ s/\s+$//;
        printf "not ok %s %s cookie=%s status=%s %s body=%s\n", $name, show($target, 240), $ck,
            $status, join(',', @why), show($snip, 60);
    } else {
        $pass++;
    }
}
print "counts $name ", join(' ', map { "$_=$counts{$_}" } sort keys %counts), "\n";
print "result $name passed=$pass failed=$fail\n";
