#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# tests/lib/socket-activate.pl — start a program the way systemd starts a
# service whose socket unit has Accept=no and whose service has
# StandardInput=socket: one listening socket, blocking (systemd clears
# O_NONBLOCK before it hands a socket over on standard input), on file
# descriptor 0, and the program exec'd in this process's place (the pid is
# the service's main pid). Standard output and error are left as they are (the
# caller points them at a file: the journal's stand-in).
#
#   socket-activate.pl [-b BACKLOG] [-m MODE] ADDRESS BOUND COMMAND [ARG...]
#
# ADDRESS is a ListenStream= value: IPV4:PORT (PORT 0: any free port, chosen
# by the kernel, so no race for a port) or the absolute path of a unix socket
# (created with MODE, octal, as SocketMode=; default 0666, systemd's). BACKLOG
# is Backlog= (default SOMAXCONN, systemd's). Once the socket listens, BOUND
# gets the address actually bound (IPV4:PORT, or the path) and a newline,
# written to BOUND.tmp and renamed, so a reader never sees half of it.
use strict;
use warnings;
use Getopt::Std;
use POSIX ();
use Socket qw(AF_INET AF_UNIX SOCK_STREAM SOL_SOCKET SO_REUSEADDR SOMAXCONN
  inet_aton inet_ntoa pack_sockaddr_in unpack_sockaddr_in pack_sockaddr_un);

my %o;
getopts('b:m:', \%o) && @ARGV >= 3
  or die "usage: socket-activate.pl [-b BACKLOG] [-m MODE] ADDRESS BOUND COMMAND [ARG...]\n";
my ($addr, $bound, @cmd) = @ARGV;
my $backlog = $o{b} // SOMAXCONN;
my ($sock, $name);

if ($addr =~ m{^/}) {
    socket($sock, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
    bind($sock, pack_sockaddr_un($addr)) or die "bind $addr: $!\n";
    chmod(oct($o{m} // '0666'), $addr) or die "chmod $addr: $!\n";
    $name = $addr;
} elsif ($addr =~ /^(\d+\.\d+\.\d+\.\d+):(\d+)$/) {
    my ($host, $port) = ($1, $2);
    my $ip = inet_aton($host) or die "bad address $host\n";
    socket($sock, AF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
    setsockopt($sock, SOL_SOCKET, SO_REUSEADDR, 1) or die "setsockopt: $!\n";
    bind($sock, pack_sockaddr_in($port, $ip)) or die "bind $addr: $!\n";
    my ($p, $a) = unpack_sockaddr_in(getsockname($sock));
    $name = inet_ntoa($a) . ":$p";
} else {
    die "socket-activate.pl: unsupported ListenStream= value: $addr\n";
}
listen($sock, $backlog) or die "listen: $!\n";

# fd 0 = the listening socket (dup2 clears close-on-exec); nothing else leaks
POSIX::dup2(fileno($sock), 0) // die "dup2: $!\n";
close($sock);

open(my $fh, '>', "$bound.tmp") or die "$bound.tmp: $!\n";
print $fh "$name\n";
close($fh) or die "$bound.tmp: $!\n";
rename("$bound.tmp", $bound) or die "rename $bound: $!\n";

exec { $cmd[0] } @cmd or die "exec $cmd[0]: $!\n";
