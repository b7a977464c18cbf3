#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The build flags cannot be lost: the project's own (NA_CFLAGS, NA_CPPFLAGS,
# NA_LDLIBS in the Makefile) are on every compile and link line whatever the
# command line says, and the user's CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS add to
# them — in the normal build, the unit tests, the sanitizer build (mk/sanitize.mk)
# and the fuzz builds (mk/fuzz.mk). Read from `make -n -B`, so nothing in the
# tree is rebuilt; one line is compiled for real, into the test's own directory.

load helpers

# The flags every compile line of the normal build must carry.
REQUIRED=(-std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
    -fstack-protector-strong -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Ilib)

_fail() {
    printf '%s\n' "$1" >&2
    [ -n "${line-}" ] && printf 'line: %s\n' "$line" >&2
    return 1
}

# rule_line TARGET [MAKE ARGS…] — the command make would run to build TARGET
# (the printed line that writes "-o TARGET"), into $line.
rule_line() {
    local target=$1 out
    shift
    out=$(make -n -B -C "$REPO_ROOT" --no-print-directory "$@" "$target" 2>&1) ||
        _fail "make -n $* $target failed: $out" || return 1
    # a rule may continue over several lines ("\" at the end): join them first
    line=$(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' <<<"$out" | grep -F -- "-o $target " | tail -n 1)
    [ -n "$line" ] || _fail "no line builds $target in: $out"
}

# has FLAG… / lacks FLAG… — whole words of $line.
has() {
    local f
    for f in "$@"; do
        [[ " $line " == *" $f "* ]] || _fail "missing $f" || return 1
    done
}
lacks() {
    local f
    for f in "$@"; do
        [[ " $line " != *" $f "* ]] || _fail "unexpected $f" || return 1
    done
}
lacks_fortify() {
    [[ $line != *-D_FORTIFY_SOURCE* ]] || _fail "unexpected -D_FORTIFY_SOURCE"
}

@test "make CFLAGS=\"-O0 -g\": a compile line keeps C11, the warnings and the stack protector" {
    rule_line lib/b64url.o CFLAGS="-O0 -g"
    has "${REQUIRED[@]}" -O0 -g
    lacks -O2
    # glibc's fortify needs optimization (with -O0 it warns, and -Werror fails)
    lacks_fortify
}

@test "make CFLAGS=\"-O0 -g\": that line compiles without a warning" {
    rule_line lib/b64url.o CFLAGS="-O0 -g"
    local obj=$BATS_TEST_TMPDIR/b64url.o
    line=${line/ -o lib\/b64url.o / -o $obj }
    run bash -c "cd \"\$1\" && $line" _ "$REPO_ROOT"
    [ "$status" -eq 0 ] || _fail "exit $status: $output" || return 1
    [ -z "$output" ] || _fail "compiler output: $output" || return 1
    [ -s "$obj" ] || _fail "no object written"
}

@test "default flags: -O2 -g and _FORTIFY_SOURCE=2 on top of the required ones" {
    rule_line lib/b64url.o
    has "${REQUIRED[@]}" -O2 -g -D_FORTIFY_SOURCE=2
}

@test "any optimization level turns _FORTIFY_SOURCE on; the last -O decides, as in gcc" {
    local o
    for o in -O -O1 -O3 -Os -Og "-O0 -O2"; do
        rule_line lib/b64url.o CFLAGS="$o" || return 1
        has -D_FORTIFY_SOURCE=2 || return 1
    done
    rule_line lib/b64url.o CFLAGS="-O2 -O0"
    lacks_fortify
}

@test "a _FORTIFY_SOURCE of the user's own (dpkg-buildflags) is left alone" {
    rule_line lib/b64url.o CPPFLAGS=-D_FORTIFY_SOURCE=3
    has "${REQUIRED[@]}" -D_FORTIFY_SOURCE=3
    lacks -D_FORTIFY_SOURCE=2
}

@test "CPPFLAGS, LDFLAGS and LDLIBS on the command line add to the project's" {
    rule_line lib/b64url.o CPPFLAGS=-DEXTRA=1
    has "${REQUIRED[@]}" -DEXTRA=1
    rule_line bin/nextauth-token LDFLAGS=-Wl,-O1 LDLIBS=-lm
    has -Wl,-O1 lib/libnextauth.a -ljansson -lcrypto -lm
    rule_line cgi-bin/nextauth-guard LDLIBS=-lm
    has -lfcgi -ljansson -lcrypto -lm
}

@test "unit tests and the fuzz replay drivers use the same flags" {
    rule_line tests/unit/test_b64url CFLAGS="-O0 -g"
    has "${REQUIRED[@]}" -O0 -g -ljansson -lcrypto
    rule_line build/fuzz/replay.o CFLAGS="-O0 -g"
    has "${REQUIRED[@]}" -O0 -g
}

@test "sanitizer build: the project's flags, -O1, no -Werror, no _FORTIFY_SOURCE" {
    rule_line build/san/lib/b64url.o CFLAGS="-O0 -g"
    has -std=c11 -Wall -Wextra -Wshadow -fstack-protector-strong -Iinclude -Ilib \
        -D_POSIX_C_SOURCE=200809L -O1 -fsanitize=address,undefined
    lacks -O0 -Werror
    lacks_fortify
}

@test "libFuzzer build: the project's flags whatever FUZZ_CFLAGS says" {
    rule_line build/fuzz/obj/b64url.o FUZZ_CFLAGS="-O2 -g"
    has -std=c11 -Wall -Wextra -fstack-protector-strong -Iinclude -Ilib \
        -D_POSIX_C_SOURCE=200809L -O2 -fsanitize=fuzzer-no-link
    lacks -Werror
    lacks_fortify
}

@test "every source file carries its SPDX licence line, and the licence is there" {
    cd "$REPO_ROOT"
    [ -f LICENSE ]
    grep -q '^MIT License' LICENSE
    local missing=() f
    while IFS= read -r f; do
        head -n 2 "$f" | grep -q 'SPDX-License-Identifier: MIT' || missing+=("$f")
    done < <(git ls-files '*.c' '*.h' '*.sh' '*.bats' '*.bash' '*.pl' '*.mk' Makefile 'tools/*')
    if [ "${#missing[@]}" -gt 0 ]; then
        printf 'no SPDX line: %s\n' "${missing[@]}"
        return 1
    fi
}

@test "the repository stands on its own: docs/ sections cited exist, no outside documents cited" {
    cd "$REPO_ROOT"
    # every "docs/<file>.md, <Heading>" and "docs/<file>.md#anchor" names a heading of that file
    run perl -e '
        my %head;
        for my $d (glob "docs/*.md") {
            open my $fh, "<", $d or die; 
            while (<$fh>) {
                next unless /^#+\s+(.*?)\s*$/;
                my $h = $1; $head{$d}{$h} = 1;
                (my $a = lc $h) =~ s/[^a-z0-9 _-]//g; $a =~ s/ /-/g; $head{$d}{"#$a"} = 1;
            }
        }
        my $bad = 0;
        for my $f (split /\n/, `git ls-files`) {
            next if $f =~ m{^tests/vectors/} || !-f $f || -B $f;
            open my $fh, "<", $f or next;
            my $text = do { local $/; <$fh> };
            $text =~ s/\n\s*(?:\*|#|\/\/)?\s*/ /g;   # comments wrap: read them as one line
            while ($text =~ m{(docs/[a-z]+\.md)(?:(#[a-z0-9_-]+)|,\s+([A-Z][^.;:()\x60"]*))?}g) {
                my ($d, $anchor, $title) = ($1, $2, $3);
                if (!-f $d) { print "$f: $d does not exist\n"; $bad++; next }
                if (defined $anchor && !$head{$d}{$anchor}) { print "$f: $d$anchor\n"; $bad++ }
                if (defined $title) {
                    # the title may run on into the sentence, or stop at a "." inside
                    # the heading ("Auth.js v5 tokens")
                    my $ok = grep { $title =~ /^\Q$_\E/ || (length $title >= 4 && /^\Q$title\E/) }
                             keys %{$head{$d}};
                    if (!$ok) { print "$f: $d, $title\n"; $bad++ }
                }
            }
        }
        exit($bad ? 1 : 0);'
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    # the contract lives here: nothing points at documents outside the repository
    run git grep -nE '\.\./shared|SPEC\.md|SERVERS\.md|SPEC [AB][0-9]|\bB[0-9]+\.[0-9]+ step' -- . ':!tests/vectors'
    [ "$status" -eq 1 ] || { echo "$output"; return 1; }
}

@test "make apache-module: PIC library objects and the module keep the flags; no libfcgi on its link line" {
    rule_line lib/pic/guard.o CFLAGS="-O1 -g"
    has "${REQUIRED[@]}" -fPIC -O1 -g
    rule_line apache/mod_nextauth.o CFLAGS="-O1 -g"
    has "${REQUIRED[@]}" -fPIC -O1 -g
    rule_line apache/mod_nextauth.so LDLIBS=-lextra
    has -shared lib/pic/libnextauth_pic.a -ljansson -lcrypto -lsqlite3 -lextra
    lacks -lfcgi
    run make -n -B -C "$REPO_ROOT" --no-print-directory lib/pic/libnextauth_pic.a
    [ "$status" -eq 0 ]
    [[ $output == *"lib/pic/guard.o"* ]]
    [[ $output != *"lib/pic/serve.o"* && $output != *"lib/pic/app.o"* && $output != *"lib/pic/nextauth.o"* ]]
}

@test "make nginx-module: nginx's configure as Debian runs it for its modules, with the flags; no libfcgi for the module" {
    run make -n -B -C "$REPO_ROOT" --no-print-directory build/nginx/Makefile CFLAGS="-O1 -g" \
        LDFLAGS=-Wl,-O1 LDLIBS=-lextra
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    line=$(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' <<<"$output" | grep -F './configure')
    [[ $line == *"cd /usr/share/nginx/src && bash -c '. ./conf_flags && ./configure "* ]] ||
        _fail "not nginx-dev's configure with its conf_flags"
    [[ $line == *'"${NGX_CONF_FLAGS[@]}"'* ]] || _fail "missing the packaged nginx's flags"
    [[ $line == *"'$REPO_ROOT/nginx' '$REPO_ROOT/build/nginx'"* ]] ||
        _fail "expected --add-dynamic-module=nginx and --builddir=build/nginx"
    # --with-cc-opt: ours, never -Werror (configure's feature tests use them)
    local all=$line
    line=" $(sed -E "s/.*' configure +'([^']*)'.*/\1/" <<<"$all") "
    has -O1 -g -fPIC -fstack-protector-strong -Wall -Wextra -Wunused-parameter -Wshadow \
        -Wstrict-prototypes -Wformat=2 "-ffile-prefix-map=$REPO_ROOT=."
    lacks -Werror -std=c11 -O2
    # --with-ld-opt
    line=" $(sed -E "s/.*' configure +'[^']*' '([^']*)'.*/\1/" <<<"$all") "
    has -Wl,-O1 -fPIC -Wl,-z,relro -Wl,-z,now -Wl,--exclude-libs,ALL -lextra
    # what nginx links the module with (nginx/config)
    run grep -x 'ngx_module_libs=.*' "$REPO_ROOT/nginx/config"
    [ "$output" = 'ngx_module_libs="$ngx_addon_dir/../lib/pic/libnextauth_pic.a -ljansson -lcrypto -lsqlite3"' ]
}
