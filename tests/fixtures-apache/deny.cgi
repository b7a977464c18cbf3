#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fixtures-apache/deny.cgi — a backend that refuses by itself: 403, an
# HTML body and "Cache-Control: no-store", like the guard's denials. The
# snippet's Content-Type fix must leave it alone on a guarded path.
printf 'Status: 403 Forbidden\r\nContent-Type: text/html\r\nCache-Control: no-store\r\n\r\n'
printf '<p>the app says no</p>\n'
