# SPDX-License-Identifier: MIT
# tests/lib/mod-nginx.sh — a private nginx that loads ngx_http_nextauth_module
# (built by `make nginx-module`), for tests/mod-nginx.bats, mod-nginx-sqlite.bats
# and mod-nginx-pg.bats: tests/fixtures-nginx/nginx.conf and site.conf, with
# env.cgi run by tests/fixtures/fcgi-cgi.pl under spawn-fcgi. Source it after
# bats' `load helpers` and guard-common.sh (or a file that sources it); it
# sources nginx.sh.
#
#   MN_MODULE, MN_TEMPLATE, MN_SITE   the module and the fixture's two files
#   MN_PROG                           the name the module logs its lines under
#   mn_start DIR CONF APP-PORT
#       the CGI runner and nginx on DIR, whose docroot gc_setup_root made,
#       with nextauth_config CONF and the proxied application of /service/ on
#       the loopback port APP-PORT (1: none); sets nginx.sh's NG_* (NG_URL…).
#   mn_stop DIR                       nginx and the CGI runner, each by its pid

# shellcheck disable=SC2034 # constants for the suites
# shellcheck source=tests/lib/nginx.sh
. "$(dirname "${BASH_SOURCE[0]}")/nginx.sh"

MN_TEMPLATE="$REPO_ROOT/tests/fixtures-nginx/nginx.conf"
MN_SITE="$REPO_ROOT/tests/fixtures-nginx/site.conf"
MN_MODULE="$REPO_ROOT/nginx/ngx_http_nextauth_module.so"
MN_PROG=ngx_http_nextauth_module

mn_start() {
    local dir=$1 conf=$2 port=$3
    GC_SPAWN_ENV=()
    gc_spawn "$dir" cgi "$dir/run/cgi.sock" 1 /usr/bin/perl "$GC_FIXTURES/fcgi-cgi.pl" || return 1
    cp "$MN_SITE" "$dir/site.conf.in"
    ng_start "$dir" "$MN_TEMPLATE" USER="$(ng_user)" TEMP_PATHS="$(ng_temp_paths "$dir")" \
        MODULE="$MN_MODULE" NEXTAUTH_CONF="$conf" APP_PORT="$port"
}

mn_stop() {
    ng_stop "$1"
    gc_spawn_stop "$1" cgi
}
