#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# tests/differential/targets.pl — the request targets of the differential test,
# one a line, raw bytes (UTF-8 where a name is UTF-8), on stdout.
#
#   perl targets.pl SEED RANDOM-COUNT
#
# First the hand-made classes, each applied to every canary location (below):
# the ways a path can be spelled so that a web server and the guard could read
# it differently ('#', '?', percent-encoded '/', '.', '#', '?', '\', NUL and
# letters, overlong UTF-8, dot segments, '//', ';' parameters, case, absolute
# form, very long paths). Then RANDOM-COUNT targets composed by a generator
# seeded with SEED (perl's srand/rand: the same list for the same seed).
# "@ORIGIN@" stands for host:port (client.pl fills it in).
# No target contains a tab, a line break, a space or a raw NUL.
use strict;
use warnings;

my ($seed, $nrand) = @ARGV;
die "usage: targets.pl SEED RANDOM-COUNT\n" unless defined $nrand;

my $E = "\xc3\xa9";    # é in UTF-8 (the file is written as bytes)

# The canary locations (docroot paths, see run.sh): a static file and a CGI in
# every guarded and every rule-protected folder, some with names that need care.
my @locations = (
    '/dashboard/secret.txt', '/dashboard/canary.cgi', '/dashboard/semi;colon.txt',
    '/api/data.json', '/api/canary.cgi',
    '/api/admin/x.json', '/api/admin/canary.cgi',
    '/admin/a.txt', '/admin/canary.cgi', '/admin/semi;colon.txt',
    '/@admin/s.txt', '/@admin/canary.cgi',
    "/caf$E/s.txt", "/caf$E/canary.cgi",
    '/docs/page.txt', '/docs/canary.cgi',
    "/r${E}sum$E/s.txt", "/r${E}sum$E/canary.cgi", '/@team/s.txt', '/@team/canary.cgi',
    '/', '/canary.txt', '/dashboard/',
);

# Public prefixes: a server or the guard lets them through without a session.
my @public = ('/public', '/api/auth', '/_next', '/favicon.ico');

# Percent-encode the first letter (or '@', or the first UTF-8 byte pair) of the
# first segment, in the case given ('%40admin', '%61dmin', '%c3%a9').
sub enc_first {
    my ($p, $lower) = @_;
    my $f = $lower ? '%%%02x' : '%%%02X';
    $p =~ s{^/([A-Za-z\@])}{'/' . sprintf($f, ord $1)}e and return $p;
    return undef;
}

sub enc_all {    # every byte of the first segment, upper-case hex
    my ($p) = @_;
    $p =~ s{^/([^/]+)}{'/' . join('', map { sprintf('%%%02X', ord) } split //, $1)}e;
    return $p;
}

# The UTF-8 é spelled %C3%A9 / %c3%a9, and the '@' spelled %40.
sub enc_utf8 {
    my ($p, $lower) = @_;
    my $x = $lower ? '%c3%a9' : '%C3%A9';
    return $p =~ s/\xc3\xa9/$x/gr;
}

# Every hand-made class, as a function of a location ("/a/b.txt").
sub variants {
    my ($p) = @_;
    my $r = substr($p, 1);    # without the leading '/'
    my ($first, $rest) = $r =~ m{^([^/]*)(.*)$};
    my @v;
    # raw '#': a fragment has no place on a request line; servers cut it, or not
    push @v, "$p#x", "$p#", "$p#/", "$p#/../x", "$p#/../../api/auth/x", "$p#/../../public/x",
        "$p#/../../_next/x", "$p#/../../favicon.ico", "$p#?x", "$p#%2F..%2Fx";
    push @v, "/public/#/../$r", "/api/auth/#/../../$r", "/docs/page.txt#/../../$r",
        "/api/auth/../../$r#", "/api/auth/../../$r#x", "/_next/#/../$r", "/#/../$r";
    # '?' and '%3F'
    push @v, "$p?x", "$p?", "$p?#", "$p?/../../api/auth/x", "$p%3Fx", "$p%3f", "/public/?/../$r",
        "/public/%3F/../$r", "/api/auth/x?/../../$r";
    # '%23'
    push @v, "$p%23x", "$p%23", "/public/%23/../$r", "/api/auth/%23/../../$r";
    # '%2F' / '%2f' for the slashes
    (my $e2F = $r) =~ s{/}{%2F}g;
    (my $e2f = $r) =~ s{/}{%2f}g;
    push @v, "/$e2F", "/$e2f", "/public%2F..%2F$e2F", "/api/auth/..%2F$r", "/api/auth/..%2f$r",
        "/api/auth%2F..%2F$r", "/public/..%2F$r";
    # dot segments, plain and encoded
    push @v, "/public/../$r", "/public/%2e%2e/$r", "/public/%2E%2E/$r", "/public/.%2e/$r",
        "/public/%2e./$r", "/api/auth/../../$r", "/api/auth/%2e%2e/%2e%2e/$r",
        "/_next/../$r", "/favicon.ico/../$r", "/_next/%2e%2e/$r", "/x/../$r", "/./$r",
        "/public/./../$r", "/public/%2e/%2e%2e/$r", "/public/..";
    # '//' and '/./'
    push @v, "//$r", "/$first/$rest", "/$first/.$rest", "///$r", "/public//../$r";
    # ';' path parameters
    push @v, "/$first;x$rest", "/public/..;/$r", "/public;/../$r", "$p;x", "/api/auth/..;/../$r",
        "/$first;$rest";
    # '\' and '%5C'
    push @v, "/public/..\\$r", "/public\\..\\$r", "/public/%5C..%5C$r", "/public/..%5C$r",
        "/public/..%5c$r", "\\$r";
    # NUL
    push @v, "$p%00", "$p%00.txt", "/public/%00/../$r", "/public%00/../$r";
    # overlong UTF-8 for '.' and '/'
    push @v, "/public/%C0%AE%C0%AE/$r", "/public/%C0%AE%C0%AE%C0%AF$r", "/public%C0%AF..%C0%AF$r",
        "/public/%E0%80%AE%E0%80%AE/$r", "/public/%c0%ae%c0%ae/$r", "/public/%C1%9C../$r";
    # percent-encoded letters and '@', both hex cases; the UTF-8 name encoded
    for my $lower (0, 1) {
        my $x = enc_first($p, $lower);
        push @v, $x, "/public/../" . substr($x, 1) if defined $x;
        push @v, enc_utf8($p, $lower) if $p =~ /\xc3\xa9/;
    }
    push @v, enc_all($p) if $first ne '';
    push @v, "/public/../" . substr(enc_utf8($p, 0), 1) if $p =~ /\xc3\xa9/;
    # case
    push @v, "/\U$first\E$rest", "/\u$first$rest", uc($p);
    # absolute form
    push @v, "http://\@ORIGIN\@$p", "HTTP://\@ORIGIN\@$p", "http://\@ORIGIN\@$p#x",
        "http://\@ORIGIN\@/public/../$r", "http://\@ORIGIN\@$p#/../../api/auth/x",
        "http://other.example$p", "https://\@ORIGIN\@$p";
    return @v;
}

my (@out, %seen);
sub add {
    for my $t (@_) {
        next if !defined $t || $t eq '' || $seen{$t}++;
        die "targets.pl: bad byte in $t\n" if $t =~ /[\t\r\n \0]/;
        push @out, $t;
    }
}

add(variants($_)) for @locations;

# Very long paths (just under 8 KiB): padding segments walked back with '../',
# a long run of './', and a long fragment of '..'.
for my $p ('/admin/a.txt', '/dashboard/secret.txt', '/api/admin/x.json', '/@admin/s.txt') {
    my $r = substr($p, 1);
    add('/public/' . ('x/' x 1300) . ('../' x 1301) . $r);
    add('/public/' . ('y/' x 1300) . ('../' x 1300) . "../$r");
    add('/' . ('./' x 3900) . $r);
    add($p . '#' . ('/..' x 2600) . '/api/auth/x');
    add('/api/auth/' . ('a/' x 850) . ('%2e%2e/' x 852) . $r);
}

# The seeded generator: a public or guarded start, then 1 to 6 pieces (names of
# the canary folders in several spellings, and the dangerous pieces above),
# joined by '/' (now and then '%2F' or '\'), then a canary file.
srand($seed);
my @dirs = ('dashboard', 'api', 'admin', '@admin', "caf$E", 'docs', 'api/admin', 'public',
    'api/auth', '_next', 'favicon.ico', "r${E}sum$E", '@team');
my @spell = (
    sub { $_[0] }, sub { uc $_[0] }, sub { ucfirst $_[0] },
    sub { (enc_first("/$_[0]", 0) // "/$_[0]") =~ s{^/}{}r },
    sub { (enc_first("/$_[0]", 1) // "/$_[0]") =~ s{^/}{}r },
    sub { enc_utf8($_[0], 0) }, sub { enc_utf8($_[0], 1) },
    sub { $_[0] =~ s{/}{%2F}gr }, sub { "$_[0];x" },
);
my @danger = ('..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '.', '', '..;', ';', '#', '#/..', '?',
    '%3F', '%23', '%00', '%5C..', '..\\', '%C0%AE%C0%AE', '%E0%80%AE%E0%80%AE', '%C0%AF',
    '%2F', '%2f', '..%2F', '%2e%2e%2f', '#x', '?x=/../');
my @files = ('secret.txt', 'data.json', 'a.txt', 's.txt', 'x.json', 'page.txt', 'canary.txt',
    'canary.cgi', 'semi;colon.txt', 'p.txt', '');
my @starts = ('', '/public', '/api/auth', '/_next', '/favicon.ico', '/docs', '/x',
    'http://@ORIGIN@', 'http://@ORIGIN@/public');
my $want = @out + $nrand;
my $tries = 0;
while (@out < $want && $tries++ < 100 * $nrand) {
    my $t = $starts[int rand @starts];
    for (1 .. 1 + int rand 6) {
        my $piece = rand() < 0.5 ? $spell[int rand @spell]->($dirs[int rand @dirs])
                                 : $danger[int rand @danger];
        my $sep = rand() < 0.85 ? '/' : rand() < 0.5 ? '%2F' : '\\';
        $t .= $sep . $piece;
    }
    $t .= '/' . $files[int rand @files];
    add($t);
}
print "$_\n" for @out;
