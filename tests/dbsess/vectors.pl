#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# tests/dbsess/vectors.pl — the database-session cases recorded from the real
# next-auth and @auth/core session routes with real adapters
# (tests/vectors/dbsess-vectors.json), replayed against nextauth-session as a
# CGI program: for each case, a fresh database in the adapter's schema
# (tests/vectors/dbsess-schema/) holding the case's rows, the case's Cookie
# header, the clock frozen at its now_ms; then the body bytes, the session
# Set-Cookie strings and the rows afterwards must be what the real library
# gave.
#
#   vectors.pl sqlite            every SQLite case (a temp file each)
#   vectors.pl pg URL_PREFIX     every PostgreSQL case; URL_PREFIX + a fresh
#                                database name is a libpq URI whose server lets
#                                us CREATE DATABASE (tests/lib/postgres.sh)
#
# Cases skipped, each for a reason printed as a TAP skip: where the project's
# contract differs from the recording on purpose (docs/behaviour.md, Database
# sessions): sign-out (the Node app's job), `<name>-old` prefix cookies (never
# part of the token here), a Prisma session whose user row is missing (no
# session here, for every adapter), v5's quoted cookie values (unquoted here as
# in v4); and the fault cases (an unreachable database, a failing update),
# which other tests stage on purpose (tests/dbsess-sqlite.bats and the store
# tests). Prints TAP and a closing "N passed, N failed" (skips not counted).
use strict;
use warnings;
use JSON::PP;
use File::Temp qw(tempdir);

my $mode = shift @ARGV or die "usage: vectors.pl sqlite | pg URL_PREFIX\n";
my $pg_prefix = $mode eq 'pg' ? (shift @ARGV or die "pg needs URL_PREFIX\n") : undef;
my $root = $ENV{REPO_ROOT} // '.';
my $bin = $ENV{NEXTAUTH_SESSION_BIN} // "$root/cgi-bin/nextauth-session";
my $json = JSON::PP->new->canonical;
my $doc = $json->decode(do { local $/; open my $f, '<', "$root/tests/vectors/dbsess-vectors.json" or die $!; <$f> });
my $tmp = tempdir(CLEANUP => 1);

my %adapter = ('prisma-adapter' => 'prisma', 'drizzle-adapter' => 'drizzle',
               'pg-adapter' => 'pg', 'kysely-adapter' => 'kysely');
# the tables each schema's rows_before/rows_after name "users" and "sessions"
my %tables = (prisma => ['User', 'Session'], drizzle => ['user', 'session'],
              pg => ['users', 'sessions'], kysely => ['User', 'Session']);
my %skip = (
    'signout' => 'sign-out is the Node app\'s job',
    'prefix-collision' => 'a <name>-old cookie is never part of the token here',
    'db-unreachable' => 'staged by the fault tests',
    'update-fails-readonly' => 'staged by the fault tests',
);

my ($n, $pass, $fail, $skipped) = (0, 0, 0, 0);

sub sql_quote {
    my ($v) = @_;
    (my $s = "$v") =~ s/'/''/g;
    return "'$s'";
}

# a JSON number (not a string holding digits)
sub is_number { return $json->encode([$_[0]]) =~ /^\[-?\d/ }

# INSERT statements for rows (a list of objects); "typeof(x)" keys say how
# SQLite stored x (integer or text).
sub inserts {
    my ($table, $rows) = @_;
    my $sql = '';
    for my $r (@$rows) {
        my @cols = grep { !/^typeof\(/ && $_ ne 'expires_epoch_ms' } sort keys %$r;
        my @vals;
        for my $c (@cols) {
            my $v = $r->{$c};
            my $type = $r->{"typeof($c)"} // '';
            if (!defined $v) { push @vals, 'NULL' }
            elsif ($type eq 'integer' || is_number($v)) { push @vals, $v }
            else { push @vals, sql_quote($v) }
        }
        $sql .= sprintf qq{INSERT INTO "%s" (%s) VALUES (%s);\n}, $table,
            join(', ', map { qq{"$_"} } @cols), join(', ', @vals);
    }
    return $sql;
}

sub run_capture {
    my ($cmd, $in) = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) { exec @$cmd or die "exec $cmd->[0]: $!" }
    local $/;
    my $out = <$fh>;
    close $fh;
    return ($out // '', $? >> 8);
}

sub sqlite_rows {
    my ($db, $table, $typeof) = @_;
    my $extra = $typeof ? qq{, typeof("expires") AS "typeof(expires)"} : '';
    my ($out) = run_capture(['sqlite3', '-json', $db, qq{SELECT *$extra FROM "$table"}]);
    return $out =~ /\S/ ? JSON::PP->new->utf8->decode($out) : [];
}

# every column as PostgreSQL prints it in a UTC session, as text (the
# recordings' form), and expires_epoch_ms as extract(epoch) * 1000 prints
sub pg_rows {
    my ($url, $table, $pg_epoch) = @_;
    my ($cols) = run_capture(['psql', '-X', '-qAt', $url, '-c',
        qq{SELECT string_agg(format('%I::text AS %I', attname, attname), ', ' ORDER BY attnum)
           FROM pg_attribute WHERE attrelid = '"$table"'::regclass AND attnum > 0
           AND NOT attisdropped}]);
    chomp $cols;
    my $extra = $pg_epoch ? q{, (extract(epoch FROM "expires") * 1000)::text AS expires_epoch_ms} : '';
    my ($out) = run_capture(['psql', '-X', '-qAt', $url, '-c',
        qq{SET TimeZone = 'UTC'; SELECT coalesce(json_agg(t), '[]') FROM (SELECT $cols$extra FROM "$table") t}]);
    return JSON::PP->new->utf8->decode($out); # psql prints UTF-8 bytes
}

# rows as the database returns them, compared as canonical JSON
sub same_rows {
    my ($got, $want) = @_;
    my $norm = sub { [sort map { $json->encode($_) } @{$_[0]}] };
    return $json->encode($norm->($got)) eq $json->encode($norm->($want));
}

for my $v (@{$doc->{vectors}}) {
    my $db = $v->{database} // next;
    next if $mode eq 'sqlite' && $db !~ /^SQLite/;
    next if $mode eq 'pg' && $db !~ /^PostgreSQL/;
    $n++;
    my $name = $v->{name};
    my ($fam, $ad) = $name =~ m{^(v[45])/([a-z-]+)@} or die "name $name";
    my $a = $adapter{$ad} // die "adapter $ad";
    my $why = $skip{$v->{scenario}};
    $why = 'no session here when the user row is missing, for every adapter'
        if !$why && $v->{scenario} eq 'user-row-missing' && $a eq 'prisma';
    $why = 'cookie values are unquoted here for both families'
        if !$why && $v->{scenario} eq 'quoted-cookie-value' && $fam eq 'v5';
    $why = 'an INTEGER expiry keeps its form here (Prisma 6 and 7 both read it); Prisma 7 rewrote it as text'
        if !$why && $v->{scenario} eq 'prisma-sqlite-legacy-integer-ms';
    if ($why) {
        print "ok $n $name # skip $why\n";
        $skipped++;
        next;
    }
    (my $schema = $v->{schema}) =~ s{^dbsess-schema/}{};
    my $ddl = do { local $/; open my $f, '<', "$root/tests/vectors/dbsess-schema/$schema" or die "$schema: $!"; <$f> };
    my ($ut, $st) = @{$tables{$a}};
    my $rows = inserts($ut, $v->{rows_before}{users}) . inserts($st, $v->{rows_before}{sessions});
    my $url;
    my $dir = tempdir(DIR => $tmp);
    if ($mode eq 'sqlite') {
        my $file = "$dir/app.db";
        open my $p, '|-', 'sqlite3', $file or die $!;
        binmode $p, ':encoding(UTF-8)';
        print $p $ddl, "\n", $rows;
        close $p or die "sqlite3 failed for $name\n";
        $url = "sqlite:$file";
    } else {
        my $dbn = 'v' . $n;
        run_capture(['psql', '-X', '-qAt', "${pg_prefix}postgres", '-c', qq{CREATE DATABASE "$dbn"}]);
        $url = "$pg_prefix$dbn";
        open my $p, '|-', 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', $url or die $!;
        binmode $p, ':encoding(UTF-8)';
        print $p "SET client_min_messages = warning;\n", $ddl, "\n", $rows;
        close $p or die "psql failed for $name\n";
    }
    my %session = %{$v->{config}{session} // {}};
    my $cfg = {
        url => $v->{config}{NEXTAUTH_URL} // $v->{config}{origin},
        session => \%session,
        database => { url => $url, adapter => $a },
        ($fam eq 'v5' ? (jwt => { format => 'authjs-v5' }) : ()),
    };
    open my $cf, '>', "$dir/config.json" or die $!;
    print $cf $json->encode($cfg);
    close $cf;
    my @env = ('env', '-i', "PATH=$ENV{PATH}", 'TZ=' . ($ENV{TZ} // 'UTC'),
               "NEXTAUTH_CONFIG=$dir/config.json", 'REQUEST_METHOD=' . $v->{request}{method});
    push @env, "HTTP_COOKIE=$v->{request}{cookie_header}" if defined $v->{request}{cookie_header};
    my $now = int($v->{now_ms} / 1000);
    # libfaketime preloaded as the faketime wrapper would, without the wrapper's
    # per-pid semaphore (one left behind by a killed wrapper stops a later one
    # with the same pid)
    my ($out) = run_capture([@env, 'LD_PRELOAD=/usr/$LIB/faketime/libfaketime.so.1',
                             "FAKETIME=$now", 'FAKETIME_FMT=%s', $bin]);
    my ($head, $body) = split /\r?\n\r?\n/, $out, 2;
    $body //= '';
    my @cookies = map { /^Set-Cookie: (.*)$/i ? $1 : () } split /\r?\n/, $head // '';
    my $cname = $v->{config}{session_cookie_name};
    my @want_cookies = grep { /^(__Secure-)?(next-auth|authjs)\.session-token/ } @{$v->{response}{set_cookie}};
    my @problems;
    my $status = ($head // '') =~ /^Status: (\d+)/m ? $1 : 200;
    push @problems, "status $status, want $v->{response}{status}" if $status != $v->{response}{status};
    push @problems, "body\n#   got  $body\n#   want $v->{response}{body}" if $body ne $v->{response}{body};
    push @problems, "Set-Cookie\n#   got  " . join("\n#        ", @cookies) . "\n#   want " . join("\n#        ", @want_cookies)
        if join("\n", @cookies) ne join("\n", @want_cookies);
    my ($gu, $gs) = $mode eq 'sqlite'
        ? (sqlite_rows($url =~ s/^sqlite://r, $ut, 0), sqlite_rows($url =~ s/^sqlite://r, $st, 1))
        : (pg_rows($url, $ut, 0), pg_rows($url, $st, 1));
    push @problems, "users after:\n#   got  " . $json->encode($gu) . "\n#   want " . $json->encode($v->{rows_after}{users})
        unless same_rows($gu, $v->{rows_after}{users});
    push @problems, "sessions after:\n#   got  " . $json->encode($gs) . "\n#   want " . $json->encode($v->{rows_after}{sessions})
        unless same_rows($gs, $v->{rows_after}{sessions});
    if (@problems) {
        print "not ok $n $name\n", map { "#   $_\n" } @problems;
        $fail++;
    } else {
        print "ok $n $name\n";
        $pass++;
    }
}
print "1..$n\n";
print "# $skipped skipped (each says why)\n";
print "$pass passed, $fail failed\n";
exit($fail ? 1 : 0);
