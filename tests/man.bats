#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The manual pages of man/ (mdoc): each one is clean for mandoc's linter and
# for groff with every warning on, `man -l` renders it without a warning,
# `make install` puts it in its section and `man` finds it there by name, and
# the pages keep up with the programs: every option and command of
# `nextauth-token --help`, every environment variable the code reads. (The
# configuration keys, their types and defaults: tests/unit/test_config.c.)

load helpers

PAGES=(nextauth-token.1 nextauth-fcgi.json.5 nextauth-guard.8 nextauth-session.8)

setup() {
    # man-db: no pager, a fixed width, and nothing of the user's own set-up
    export MANPAGER=cat PAGER=cat MANWIDTH=80 MANOPT= LC_ALL=C.UTF-8
}

@test "mandoc -T lint -W warning: no message for any page" {
    local p out
    for p in "${PAGES[@]}"; do
        out=$(mandoc -T lint -W warning "$REPO_ROOT/man/$p" 2>&1) ||
            _fail "mandoc exits $? on $p: $out" || return 1
        [ -z "$out" ] || _fail "mandoc on $p:" "$out" || return 1
    done
}

@test "groff -mdoc -ww -z: no warning for any page" {
    command -v groff >/dev/null || skip "groff is not installed (Debian: groff-base)"
    local p out
    for p in "${PAGES[@]}"; do
        out=$(groff -mdoc -ww -z "$REPO_ROOT/man/$p" 2>&1) ||
            _fail "groff exits $? on $p: $out" || return 1
        [ -z "$out" ] || _fail "groff on $p:" "$out" || return 1
    done
}

@test "man --warnings -l: each page renders, without a warning, under its own name" {
    command -v man >/dev/null || skip "man is not installed (Debian: man-db)"
    local p name sec
    for p in "${PAGES[@]}"; do
        name=${p%.*} sec=${p##*.}
        run --separate-stderr man --warnings -l "$REPO_ROOT/man/$p"
        [ "$status" -eq 0 ] && [ -z "$stderr" ] || _fail "man -l $p" || return 1
        # the header names the page and its section, and NAME says what it is
        [[ ${lines[0]} == "${name^^}($sec)"* ]] || _fail "header of $p" || return 1
        [[ $output == *$'\nNAME\n     '"$name — "* ]] || _fail "NAME of $p" || return 1
    done
}

@test "each page's .Dt and .Nm are its file name, and it says where it comes from" {
    local p name sec
    for p in "${PAGES[@]}"; do
        name=${p%.*} sec=${p##*.}
        grep -qx ".Dt ${name^^} $sec" "$REPO_ROOT/man/$p" || _fail "$p: .Dt" || return 1
        [ "$(grep -m1 '^\.Nm ' "$REPO_ROOT/man/$p")" = ".Nm $name" ] || _fail "$p: .Nm" || return 1
        head -n 1 "$REPO_ROOT/man/$p" | grep -qx '\.\\" SPDX-License-Identifier: MIT' ||
            _fail "$p: SPDX line" || return 1
    done
}

@test "make install puts the pages in man1, man5 and man8 (0644), man finds them; uninstall removes them" {
    command -v man >/dev/null || skip "man is not installed (Debian: man-db)"
    local dest=$BATS_TEST_TMPDIR/root p name sec f
    make -s -C "$REPO_ROOT" --no-print-directory install DESTDIR="$dest" PREFIX=/usr \
        >"$BATS_TEST_TMPDIR/make.out" 2>&1 || _fail "make install: $(cat "$BATS_TEST_TMPDIR/make.out")"
    [ "$(cd "$dest/usr/share/man" && find . -type f | sort)" = "$(printf '%s\n' \
        ./man1/nextauth-token.1 ./man5/nextauth-fcgi.json.5 ./man8/nextauth-guard.8 \
        ./man8/nextauth-session.8)" ] || _fail "installed: $(find "$dest/usr/share/man")"
    for p in "${PAGES[@]}"; do
        name=${p%.*} sec=${p##*.} f=$dest/usr/share/man/man$sec/$p
        [ "$(stat -c %a "$f")" = 644 ] || _fail "$f: mode $(stat -c %a "$f")" || return 1
        cmp -s "$REPO_ROOT/man/$p" "$f" || _fail "$f differs from man/$p" || return 1
        run --separate-stderr man --warnings -l "$f"
        [ "$status" -eq 0 ] && [ -z "$stderr" ] && [[ ${lines[0]} == "${name^^}($sec)"* ]] ||
            _fail "man -l $f" || return 1
        # as an operator looks it up: by section and name in the installed tree
        run --separate-stderr man -M "$dest/usr/share/man" "$sec" "$name"
        [ "$status" -eq 0 ] && [[ ${lines[0]} == "${name^^}($sec)"* ]] ||
            _fail "man -M … $sec $name" || return 1
    done
    make -s -C "$REPO_ROOT" --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
    [ -z "$(find "$dest/usr/share/man" -type f)" ] || _fail "uninstall left $(find "$dest/usr/share/man" -type f)"
}

@test "MANDIR moves the pages; by default it follows PREFIX" {
    local dest=$BATS_TEST_TMPDIR/root
    make -s -C "$REPO_ROOT" --no-print-directory install DESTDIR="$dest" PREFIX=/opt/na \
        MANDIR=/opt/na/man >/dev/null 2>&1 || _fail "make install MANDIR=…"
    [ -f "$dest/opt/na/man/man5/nextauth-fcgi.json.5" ] && [ ! -e "$dest/opt/na/share/man" ] ||
        _fail "MANDIR was not used: $(find "$dest" -name '*.5')"
    run make -s -n -C "$REPO_ROOT" --no-print-directory install PREFIX=/srv
    [[ $output == *" /srv/share/man/man5/"* ]] || _fail "MANDIR does not follow PREFIX"
}

@test "nextauth-token(1) has every command and option of nextauth-token --help" {
    local page=$REPO_ROOT/man/nextauth-token.1 help opt cmd
    help=$("$NEXTAUTH_TOKEN_BIN" --help)
    for opt in $(grep -oE -- '--[a-z][a-z-]*' <<<"$help" | sort -u); do
        # described in OPTIONS, one .It each (-h and --help share theirs)
        grep -qE -- "^\.It (Fl h , )?Fl ${opt#-}( |\$)" "$page" ||
            _fail "OPTIONS of $page lack $opt" || return 1
    done
    for cmd in $(sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p' <<<"$help"); do
        grep -qx ".It Cm $cmd.*" "$page" && grep -qx ".Cm $cmd" "$page" ||
            _fail "command $cmd is not described and in the SYNOPSIS" || return 1
    done
    # and check, the configuration test, which --help may not show yet
    grep -qx '.It Cm check' "$page" || _fail "no check command"
}

@test "nextauth-fcgi.json(5) lists every environment variable the programs read" {
    local page=$REPO_ROOT/man/nextauth-fcgi.json.5 vars v
    # getenv("NAME") in the code, and the secret's two variables, which
    # lib/config.c reads through a table of names
    vars=$(cd "$REPO_ROOT" && grep -ohE 'getenv\("[A-Z_]+"\)' lib/*.c bin/*.c cgi-bin/*.c |
        sed 's/getenv("\(.*\)")/\1/' | sort -u)
    [[ $vars == *NEXTAUTH_CONFIG* && $vars == *NEXTAUTH_READ_TIMEOUT* ]] || _fail "grep found: $vars"
    for v in $vars NEXTAUTH_SECRET AUTH_SECRET NEXTAUTH_SECRET_FILE NEXTAUTH_GUARD_MODE; do
        grep -qx ".It Ev $v" "$page" || _fail "$v is not in ENVIRONMENT of $page" || return 1
    done
}
