#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The Debian packages: `make deb` (mk/deb.mk) builds them from a copy of the
# tree, once, into this file's temp folder (DEB_DIR); then their contents
# (dpkg-deb -c), control fields (dpkg-deb -f), maintainer scripts (dpkg-deb
# -e), the programs extracted with dpkg -x and run from there, and lintian.
# The build runs the unit tests (debian/rules); its time is printed.

# shellcheck disable=SC2154 # answer, answer_err: set by cgi (through _slurp)
# shellcheck disable=SC2016 # a literal $1 in the patterns of maintainer scripts

load helpers

NOW=1700000000
NOW_EXPIRES='2023-12-14T22:13:20.000Z'
CLAIMS='{"name":"Ada Lovelace","email":"ada@example.com","sub":"user-1"}'
CRLF=$'\r\n'

setup_file() {
    local tool t0
    for tool in dpkg-buildpackage dh lintian dpkg-deb; do
        command -v "$tool" >/dev/null || {
            echo "$tool is not installed (sh tools/deps.sh)" >&2
            return 1
        }
    done
    export DEB_DIR=$BATS_FILE_TMPDIR/deb
    export VERSION ARCH MULTIARCH
    VERSION=$(sed -n 's/^VERSION *:= *//p' "$REPO_ROOT/Makefile")
    ARCH=$(dpkg --print-architecture)
    MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
    t0=$SECONDS
    make -C "$REPO_ROOT" --no-print-directory deb DEB_DIR="$DEB_DIR" >"$BATS_FILE_TMPDIR/make-deb.log" 2>&1 || {
        tail -n 40 "$BATS_FILE_TMPDIR/make-deb.log" >&2
        return 1
    }
    echo "# make deb: $((SECONDS - t0)) s" >&3
    export DEB_MAIN=$DEB_DIR/nextauth-fcgi_${VERSION}-1_$ARCH.deb
    export DEB_DEV=$DEB_DIR/nextauth-fcgi-dev_${VERSION}-1_$ARCH.deb
    export DEB_APACHE=$DEB_DIR/libapache2-mod-nextauth_${VERSION}-1_$ARCH.deb
    export DEB_NGINX=$DEB_DIR/libnginx-mod-http-nextauth_${VERSION}-1_$ARCH.deb
    export ROOT=$BATS_FILE_TMPDIR/root
    dpkg -x "$DEB_MAIN" "$ROOT" && dpkg -x "$DEB_DEV" "$ROOT" && dpkg -x "$DEB_APACHE" "$ROOT" &&
        dpkg -x "$DEB_NGINX" "$ROOT"
}

# deb_files DEB — the regular files of DEB (dpkg-deb -c), one path a line,
# without the leading "./", sorted.
deb_files() {
    dpkg-deb -c "$1" | awk '$1 ~ /^-/ { sub(/^\.\//, "", $6); print $6 }' | LC_ALL=C sort
}

# same_list EXPECTED GOT — two newline-separated lists are equal; else the diff.
same_list() {
    [ "$1" = "$2" ] || {
        diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") >&2
        return 1
    }
}

# --- the build ----------------------------------------------------------------

@test "deb: make deb leaves exactly the .deb files (and the build records) in DEB_DIR, nothing beside the repository" {
    same_list "libapache2-mod-nextauth-dbgsym_${VERSION}-1_$ARCH.deb
libapache2-mod-nextauth_${VERSION}-1_$ARCH.deb
libnginx-mod-http-nextauth-dbgsym_${VERSION}-1_$ARCH.deb
libnginx-mod-http-nextauth_${VERSION}-1_$ARCH.deb
nextauth-fcgi-dbgsym_${VERSION}-1_$ARCH.deb
nextauth-fcgi-dev_${VERSION}-1_$ARCH.deb
nextauth-fcgi_${VERSION}-1_$ARCH.buildinfo
nextauth-fcgi_${VERSION}-1_$ARCH.changes
nextauth-fcgi_${VERSION}-1_$ARCH.deb" "$(cd "$DEB_DIR" && printf '%s\n' * | LC_ALL=C sort)"
    # dpkg-buildpackage writes next to the tree it builds: the copy's parent
    # is in DEB_DIR (and removed), never the repository's parent
    run compgen -G "$REPO_ROOT/../nextauth-fcgi*_${VERSION}-1_*"
    [ "$status" -ne 0 ]
    grep -q "^tests/unit/test_token: [0-9]* passed, 0 failed$" "$BATS_FILE_TMPDIR/make-deb.log"
}

@test "deb: the package version is the Makefile's VERSION with Debian revision 1" {
    [ "$(dpkg-parsechangelog -l "$REPO_ROOT/debian/changelog" -S Version)" = "${VERSION}-1" ]
    [ "$(dpkg-deb -f "$DEB_MAIN" Version)" = "${VERSION}-1" ]
    [ "$(dpkg-deb -f "$DEB_DEV" Version)" = "${VERSION}-1" ]
}

# --- contents ------------------------------------------------------------------

@test "deb: nextauth-fcgi holds the CLI, the two programs, the units, the bats helpers, the examples, the docs and the man pages" {
    local f expected man=() got
    expected="lib/systemd/system/nextauth-guard.service
lib/systemd/system/nextauth-guard.socket
lib/systemd/system/nextauth-session.service
lib/systemd/system/nextauth-session.socket
usr/bin/nextauth-token
usr/lib/nextauth-fcgi/nextauth-guard
usr/lib/nextauth-fcgi/nextauth-session
usr/share/doc/nextauth-fcgi/INSTALL.gz
usr/share/doc/nextauth-fcgi/README.md.gz
usr/share/doc/nextauth-fcgi/SECURITY.md.gz
usr/share/doc/nextauth-fcgi/behaviour.md.gz
usr/share/doc/nextauth-fcgi/changelog.Debian.gz
usr/share/doc/nextauth-fcgi/copyright"
    for f in "$REPO_ROOT"/examples/*; do
        expected+=$'\n'"usr/share/doc/nextauth-fcgi/examples/${f##*/}"
    done
    expected+=$'\n'"usr/share/doc/nextauth-fcgi/servers.md.gz
usr/share/lintian/overrides/nextauth-fcgi
usr/share/nextauth-fcgi/nextauth.bash"
    # the man pages of man/ (make install puts them in man1, man5, man8;
    # dh_compress gzips them)
    for f in "$REPO_ROOT"/man/*.[1-9]; do
        [ -e "$f" ] || continue
        man+=("usr/share/man/man${f##*.}/${f##*/}.gz")
    done
    [ "${#man[@]}" -eq 0 ] || expected+=$'\n'$(printf '%s\n' "${man[@]}")
    expected=$(LC_ALL=C sort <<<"$expected")
    got=$(deb_files "$DEB_MAIN")
    same_list "$expected" "$got"
    # executables and plain files
    for f in usr/bin/nextauth-token usr/lib/nextauth-fcgi/nextauth-guard usr/lib/nextauth-fcgi/nextauth-session; do
        [ -x "$ROOT/$f" ]
    done
    [ "$(stat -c %a "$ROOT/usr/share/nextauth-fcgi/nextauth.bash")" = 644 ]
    # the units and helpers are the tree's own
    for f in "$REPO_ROOT"/systemd/*; do
        cmp "$f" "$ROOT/lib/systemd/system/${f##*/}"
    done
    cmp "$REPO_ROOT/share/nextauth-fcgi/nextauth.bash" "$ROOT/usr/share/nextauth-fcgi/nextauth.bash"
}

@test "deb: nextauth-fcgi-dev holds libnextauth.a, nextauth.h and nextauth.pc (multiarch), and the example pages" {
    same_list "usr/include/nextauth.h
usr/lib/$MULTIARCH/libnextauth.a
usr/lib/$MULTIARCH/pkgconfig/nextauth.pc
usr/share/doc/nextauth-fcgi-dev/changelog.Debian.gz
usr/share/doc/nextauth-fcgi-dev/copyright
usr/share/doc/nextauth-fcgi-dev/examples/hello-api.c
usr/share/doc/nextauth-fcgi-dev/examples/protected-page.c" "$(deb_files "$DEB_DEV")"
    cmp "$REPO_ROOT/include/nextauth.h" "$ROOT/usr/include/nextauth.h"
    grep -qx 'prefix=/usr' "$ROOT/usr/lib/$MULTIARCH/pkgconfig/nextauth.pc"
    grep -qx "libdir=/usr/lib/$MULTIARCH" "$ROOT/usr/lib/$MULTIARCH/pkgconfig/nextauth.pc"
    grep -qx "includedir=/usr/include" "$ROOT/usr/lib/$MULTIARCH/pkgconfig/nextauth.pc"
    grep -qx "Version: $VERSION" "$ROOT/usr/lib/$MULTIARCH/pkgconfig/nextauth.pc"
}

@test "deb: Depends names libpq5 (loaded at run time) and multiwatch (the units' ExecStart); -dev the libraries nextauth.pc links, and libpq5" {
    local dep
    dep=$(dpkg-deb -f "$DEB_MAIN" Depends)
    echo "# Depends: $dep" >&3
    [[ ", $dep," =~ ,\ libpq5[\ ,] ]]
    [[ ", $dep," == *", multiwatch,"* ]]
    [[ ", $dep," =~ ,\ libc6\ \( ]] # and the ones shlibs found
    [ "$(dpkg-deb -f "$DEB_DEV" Depends)" = \
        "libfcgi-dev, libjansson-dev, libpq5, libsqlite3-dev, libssl-dev" ]
    [ "$(dpkg-deb -f "$DEB_MAIN" Section)" = httpd ]
    [ "$(dpkg-deb -f "$DEB_DEV" Section)" = libdevel ]
    [ "$(dpkg-deb -f "$DEB_DEV" Multi-Arch)" = same ]
}

@test "deb: the units are installed, never enabled or started by the package; an upgrade restarts the running ones, removal stops them" {
    local ctl=$BATS_TEST_TMPDIR/control
    dpkg-deb -e "$DEB_MAIN" "$ctl"
    # each of the 4 units: enabled only inside "if deb-systemd-helper
    # debian-installed" (it was installed before: an upgrade keeps the
    # operator's choice), never on a first installation
    [ "$(grep -c "^	if deb-systemd-helper debian-installed '" "$ctl/postinst")" -eq 4 ]
    [ "$(grep -c 'deb-systemd-helper enable' "$ctl/postinst")" -eq 4 ]
    run grep -c 'deb-systemd-invoke start\|_dh_action=start' "$ctl/postinst"
    [ "$output" = 0 ]
    grep -q 'deb-systemd-invoke try-restart' "$ctl/postinst"
    # not stopped before an upgrade (there is no preinst then), stopped on removal
    if [ -e "$ctl/preinst" ]; then
        run grep -c 'deb-systemd-invoke stop' "$ctl/preinst"
        [ "$output" = 0 ]
    fi
    grep -q '"\$1" = remove' "$ctl/prerm"
    grep -q 'deb-systemd-invoke stop nextauth-guard.socket nextauth-guard.service' "$ctl/prerm"
}

@test "deb: libapache2-mod-nextauth holds the module and its mods-available files; the package enables it, Apache's ABI in Depends" {
    local ctl=$BATS_TEST_TMPDIR/control dep
    same_list "etc/apache2/mods-available/nextauth.conf
etc/apache2/mods-available/nextauth.load
usr/lib/apache2/modules/mod_nextauth.so
usr/share/doc/libapache2-mod-nextauth/changelog.Debian.gz
usr/share/doc/libapache2-mod-nextauth/copyright" "$(deb_files "$DEB_APACHE")"
    cmp "$REPO_ROOT/debian/apache2/nextauth.load" "$ROOT/etc/apache2/mods-available/nextauth.load"
    grep -qx 'LoadModule nextauth_module /usr/lib/apache2/modules/mod_nextauth.so' \
        "$ROOT/etc/apache2/mods-available/nextauth.load"
    # the .conf names no file: an enabled module without a configuration
    # changes nothing (and a missing file would stop Apache)
    run grep -E '^[[:space:]]*NextAuthConfig' "$ROOT/etc/apache2/mods-available/nextauth.conf"
    [ "$status" -eq 1 ]
    dep=$(dpkg-deb -f "$DEB_APACHE" Depends)
    echo "# Depends: $dep" >&3
    [[ ", $dep," =~ ,\ apache2-api-[0-9]+, ]]
    [[ ", $dep," =~ ,\ libpq5[\ ,] ]]
    [[ ", $dep," =~ ,\ libjansson4\ \( ]]
    [ "$(dpkg-deb -f "$DEB_APACHE" Recommends)" = nextauth-fcgi ]
    [ "$(dpkg-deb -f "$DEB_APACHE" Section)" = httpd ]
    dpkg-deb -e "$DEB_APACHE" "$ctl"
    grep -q 'apache2_invoke enmod \$conf' "$ctl/postinst"
    grep -qE '^[[:space:]]*for conf in nextauth +; do' "$ctl/postinst"
}

@test "deb: the extracted mod_nextauth, loaded by a private Apache with the package's .load and .conf, guards a location" {
    local dir conf secret=deb-test-secret-0123456789abcdefghij
    # shellcheck source=tests/lib/apache.sh
    . "$BATS_TEST_DIRNAME/lib/apache.sh"
    # not under BATS_TEST_TMPDIR: as root, Apache serves as www-data, which
    # must be able to walk to the docroot
    dir=$(mktemp -d "${TMPDIR:-/tmp}/deb-apache.XXXXXX")
    chmod 0755 "$dir"
    conf=$dir/apache.conf
    printf '{"url":"http://127.0.0.1","secret":"%s"}\n' "$secret" >"$dir/nextauth.json"
    sed "s|/usr/lib/apache2/modules/mod_nextauth.so|$ROOT/usr/lib/apache2/modules/mod_nextauth.so|" \
        "$ROOT/etc/apache2/mods-available/nextauth.load" >"$dir/nextauth.load"
    cat >"$conf" <<CONF
ServerName 127.0.0.1
Listen 127.0.0.1:\${AP_PORT}
PidFile "\${ROOT}/run/apache.pid"
DefaultRuntimeDir "\${ROOT}/run"
ErrorLog "\${ROOT}/logs/error.log"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
<IfDefine !NOT_ROOT>
  User www-data
  Group www-data
</IfDefine>
Include "$dir/nextauth.load"
Include "$ROOT/etc/apache2/mods-available/nextauth.conf"
NextAuthConfig "$dir/nextauth.json"
DocumentRoot "\${ROOT}/www"
<Location "/">
  AuthType NextAuth
  Require valid-user
</Location>
CONF
    ap_start "$dir" "$conf"
    run curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$AP_URL/legacy/x"
    ap_stop "$dir"
    rm -rf "$dir"
    [ "$output" = "307 http://127.0.0.1/api/auth/signin?callbackUrl=%2Flegacy%2Fx" ] || {
        echo "got: $output" >&2
        return 1
    }
}

@test "deb: libnginx-mod-http-nextauth holds the module and its load_module file; the package enables it, nginx's ABI in Depends" {
    local ctl=$BATS_TEST_TMPDIR/control dep
    same_list "usr/lib/nginx/modules/ngx_http_nextauth_module.so
usr/share/doc/libnginx-mod-http-nextauth/changelog.Debian.gz
usr/share/doc/libnginx-mod-http-nextauth/copyright
usr/share/nginx/modules-available/mod-http-nextauth.conf" "$(deb_files "$DEB_NGINX")"
    [ "$(cat "$ROOT/usr/share/nginx/modules-available/mod-http-nextauth.conf")" = \
        'load_module modules/ngx_http_nextauth_module.so;' ]
    dep=$(dpkg-deb -f "$DEB_NGINX" Depends)
    echo "# Depends: $dep" >&3
    # the ABI of the nginx the module was built against (nginx-dev's)
    [[ ", $dep," == *", $(sed -n 's/^nginx:abi=//p' /usr/share/nginx/src/debian/libnginx-mod.abisubstvars),"* ]]
    [[ ", $dep," =~ ,\ nginx-abi-[0-9.]+-[0-9]+, ]]
    [[ ", $dep," =~ ,\ libpq5[\ ,] ]]
    [ "$(dpkg-deb -f "$DEB_NGINX" Recommends)" = nextauth-fcgi ]
    dpkg-deb -e "$DEB_NGINX" "$ctl"
    grep -qE '^for confpair in mod-http-nextauth.conf:50-mod-http-nextauth.conf +; do' "$ctl/postinst"
    grep -q 'dpkg-trigger --no-await nginx-reload' "$ctl/postinst"
}

@test "deb: the extracted nginx module, loaded by a private nginx, guards a location" {
    local dir secret=deb-test-secret-0123456789abcdefghij
    # shellcheck source=tests/lib/nginx.sh
    . "$BATS_TEST_DIRNAME/lib/nginx.sh"
    dir=$BATS_TEST_TMPDIR/ng
    mkdir -p "$dir/www" "$dir/run" "$dir/logs"
    printf '{"url":"http://127.0.0.1","secret":"%s"}\n' "$secret" >"$dir/nextauth.json"
    cat >"$dir/nginx.conf.tmpl" <<CONF
load_module $ROOT/usr/lib/nginx/modules/ngx_http_nextauth_module.so;
user @USER@;
pid @DIR@/run/nginx.pid;
error_log @DIR@/logs/error.log;
events { worker_connections 64; }
http {
    access_log off;
$(ng_temp_paths "@DIR@")
    nextauth_config @DIR@/nextauth.json;
    server {
        listen 127.0.0.1:@PORT@;
        root @DIR@/www;
        location /legacy/ { nextauth on; }
    }
}
CONF
    ng_start "$dir" "$dir/nginx.conf.tmpl" USER="$(ng_user)"
    run curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$NG_URL/legacy/x"
    ng_stop "$dir"
    [ "$output" = "307 http://127.0.0.1/api/auth/signin?callbackUrl=%2Flegacy%2Fx" ] || {
        echo "got: $output" >&2
        return 1
    }
}

# --- the extracted programs -----------------------------------------------------

@test "deb: the extracted nextauth-token: --version, --help, an encode/decode round trip" {
    local bin=$ROOT/usr/bin/nextauth-token tok
    run "$bin" --version
    [ "$status" -eq 0 ] && [ "$output" = "nextauth-token $VERSION" ]
    run "$bin" --help
    [ "$status" -eq 0 ] && [ "${lines[0]}" = 'Usage: nextauth-token COMMAND [OPTIONS] [ARG]' ]
    tok=$(env -i NEXTAUTH_SECRET=deb-test-secret-0123456789abcdefghij "$bin" encode --now "$NOW" "$CLAIMS")
    run env -i NEXTAUTH_SECRET=deb-test-secret-0123456789abcdefghij "$bin" decode --now "$NOW" "$tok"
    [ "$status" -eq 0 ]
    [ "$(jq -c 'del(.jti)' <<<"$output")" = \
        '{"name":"Ada Lovelace","email":"ada@example.com","sub":"user-1","iat":1700000000,"exp":1702592000}' ]
    run env -i NEXTAUTH_SECRET=another-secret-0123456789abcdefghijkl "$bin" decode --now "$NOW" "$tok"
    [ "$status" -eq 1 ]
}

# cgi PROGRAM [VAR=VALUE...] — run an extracted program once as CGI, its clock
# frozen at NOW; its stdout's bytes in $answer, stderr in $answer_err.
cgi() {
    local prog=$ROOT/usr/lib/nextauth-fcgi/$1
    shift
    frozen_clock "$NOW"
    env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET NEXTAUTH_URL=http://localhost:3000 \
        NEXTAUTH_SECRET=deb-test-secret-0123456789abcdefghij "$@" "${FROZEN_CLOCK[@]}" "$prog" \
        </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
    _slurp answer "$BATS_TEST_TMPDIR/out"
    _slurp answer_err "$BATS_TEST_TMPDIR/err"
}

@test "deb: the extracted guard and session endpoint answer as CGI" {
    local tok
    tok=$(env -i NEXTAUTH_SECRET=deb-test-secret-0123456789abcdefghij \
        "$ROOT/usr/bin/nextauth-token" encode --now "$NOW" "$CLAIMS")
    cgi nextauth-guard REQUEST_URI=/api/data
    [ "$answer" = "Status: 401 Unauthorized${CRLF}Content-Type: application/json${CRLF}Cache-Control: no-store${CRLF}${CRLF}{\"message\":\"You must be logged in.\"}" ]
    [ -z "$answer_err" ]
    cgi nextauth-guard REQUEST_URI=/api/data HTTP_COOKIE="next-auth.session-token=$tok"
    [ "$answer" = "Status: 200 OK${CRLF}X-Nextauth-User: ada@example.com${CRLF}X-Nextauth-Email: ada@example.com${CRLF}X-Nextauth-Name: Ada Lovelace${CRLF}X-Nextauth-Sub: user-1${CRLF}X-Nextauth-Expires: $NOW_EXPIRES${CRLF}Content-Type: application/json${CRLF}Cache-Control: private, no-store${CRLF}${CRLF}{\"user\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"},\"expires\":\"$NOW_EXPIRES\"}" ]
    cgi nextauth-session REQUEST_URI=/api/auth/session
    [ "$answer" = "Status: 200 OK${CRLF}Content-Type: application/json${CRLF}Cache-Control: private, no-cache, no-store${CRLF}Pragma: no-cache${CRLF}Expires: 0${CRLF}${CRLF}{}" ]
    [ -z "$answer_err" ]
}

# --- lintian -----------------------------------------------------------------------

@test "deb: lintian finds no error in either package; the copyright is the LICENSE" {
    run --separate-stderr lintian "$DEB_MAIN" "$DEB_DEV" "$DEB_APACHE" "$DEB_NGINX"
    printf '# %s\n' "${lines[@]}" >&3
    [ "$status" -eq 0 ]
    run grep -c '^E:' <<<"$output"
    [ "$output" = 0 ]
    # debian/copyright's licence text is LICENSE's, in DEP-5's folded form
    diff <(sed -n '/^License: MIT$/,$p' "$ROOT/usr/share/doc/nextauth-fcgi/copyright" | sed -n '/^ /,$p' |
        sed -e 's/^ //' -e 's/^\.$//') <(sed -n '5,$p' "$REPO_ROOT/LICENSE")
}
