# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# demo/cgi/callback.sh — the demo sign-in's form decoding and its same-origin
# rule for callbackUrl (sourced by auth.sh; tests/demo.bats replays the
# open-redirect payload list against `callback`). The caller sets BASE (the
# site's origin, from the demo config) and HOST_ORIGIN (http:// + Host).

# urldecode TEXT [VAR] — application/x-www-form-urlencoded decoding (+ is a
# space; a % not followed by two hex digits stays), printed or stored in VAR.
urldecode() {
    local _in=${1//+/ } _out='' _pre _c
    while :; do
        _pre=${_in%%\%*}
        _out+=$_pre
        [ "$_pre" = "$_in" ] && break
        _in=${_in:${#_pre}+1}
        if [[ ${_in:0:2} =~ ^[0-9A-Fa-f]{2}$ ]]; then
            # shellcheck disable=SC2059 # the format is the escape itself
            printf -v _c "\\x${_in:0:2}"
            _out+=$_c
            _in=${_in:2}
        else
            _out+=%
        fi
    done
    if [ $# -ge 2 ]; then
        printf -v "$2" '%s' "$_out"
    else
        printf '%s' "$_out"
    fi
}

# field NAME DATA — the decoded value of NAME in a form-encoded DATA.
field() {
    local pair
    local -a pairs
    IFS='&' read -r -a pairs <<<"$2"
    for pair in "${pairs[@]}"; do
        if [ "${pair%%=*}" = "$1" ] && [ "$pair" != "${pair%%=*}" ]; then
            urldecode "${pair#*=}"
            return 0
        fi
    done
    return 1
}

# callback URL [VAR] — where to go after signing in or out, printed or stored
# in VAR: BASE + the path of URL when URL is a path or an absolute URL of this
# site; BASE/ otherwise.
callback() {
    local _cb=$1
    case $_cb in
    "$BASE"/* | "$BASE") _cb=${_cb#"$BASE"} ;;
    "$HOST_ORIGIN"/* | "$HOST_ORIGIN") _cb=${_cb#"$HOST_ORIGIN"} ;;
    esac
    # Only a path, in plain URL characters: nothing that could end the
    # Location header. BASE in front keeps "//host" a path of this site.
    local re="^/[A-Za-z0-9._~!\$&'()*+,;=:@/?%#-]*\$"
    [[ $_cb =~ $re ]] || _cb=/
    if [ $# -ge 2 ]; then
        printf -v "$2" '%s%s' "$BASE" "$_cb"
    else
        printf '%s%s' "$BASE" "$_cb"
    fi
}
