# SPDX-License-Identifier: MIT
# nextauth-fcgi — NextAuth.js session checks in C for Apache, lighttpd and nginx.
# `make` builds the library and the programs; `make check` runs every test suite.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
LIBEXECDIR ?= $(PREFIX)/lib/nextauth-fcgi
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man

CC       ?= cc
AR       ?= ar

# Flags. The project's own (NA_*) are on every compile and link line, whatever
# the command line says; the user's CFLAGS (default -O2 -g), CPPFLAGS, LDFLAGS
# and LDLIBS come after them and add to them: `make CFLAGS="-O0 -g"` is a debug
# build that is still C11, warning-clean and hardened. mk/*.mk use the same
# variables.
CFLAGS   ?= -O2 -g
NA_CFLAGS   := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
               -fstack-protector-strong
NA_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Ilib \
               -DNA_VERSION='"$(VERSION)"' $(shell pkg-config --cflags libpq)
NA_LDLIBS   := -ljansson -lcrypto -lsqlite3
# libpq: its headers only (NA_CPPFLAGS); lib/pqdl.c loads the library when a
# PostgreSQL url is first opened, so token-only processes never map it.
FCGI_LIBS   := -lfcgi
# _FORTIFY_SOURCE=2 only when the compiler optimizes: glibc implements it with
# optimization only and otherwise warns "_FORTIFY_SOURCE requires compiling with
# optimization (-O)", which -Werror makes fatal. As gcc does, the last -O option
# of CFLAGS decides: none, or -O0, leaves it out. Also left to the user when
# CPPFLAGS or CFLAGS name _FORTIFY_SOURCE themselves (dpkg-buildflags does), and
# left out under AddressSanitizer (its checked wrappers hide accesses from ASan).
# -U first, so that a compiler that predefines it does not warn of a redefinition.
NA_OPT     = $(lastword $(filter -O%,$(CFLAGS)))
NA_FORTIFY = $(if $(filter-out -O0,$(NA_OPT)),$(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) \
             $(CFLAGS))$(findstring address,$(filter -fsanitize=%,$(CFLAGS))),,-U_FORTIFY_SOURCE \
             -D_FORTIFY_SOURCE=2))
ALL_CPPFLAGS = $(NA_CPPFLAGS) $(NA_FORTIFY) $(CPPFLAGS)
ALL_CFLAGS   = $(NA_CFLAGS) $(CFLAGS)
ALL_LDLIBS   = $(NA_LDLIBS) $(LDLIBS)

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:.c=.o)
LIB      := lib/libnextauth.a
BINS     := bin/nextauth-token
CGIS     := cgi-bin/nextauth-session cgi-bin/nextauth-guard
# Pages written on the public API (include/nextauth.h); built and tested, not installed.
EXAMPLES := cgi-bin/examples/hello-api cgi-bin/examples/protected-page
# Manual pages (mdoc), installed into man1, man5 and man8 by their suffix.
MANPAGES := man/nextauth-token.1 man/nextauth-fcgi.json.5 man/nextauth-guard.8 \
            man/nextauth-session.8
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:.c=)

.PHONY: all check unit install uninstall clean

all: $(LIB) $(BINS) $(CGIS) $(EXAMPLES)

# -MMD -MP: header dependencies, so a changed header rebuilds what includes it.
%.o: %.c
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

bin/%: bin/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(ALL_LDLIBS)

cgi-bin/%: cgi-bin/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(FCGI_LIBS) $(ALL_LDLIBS)

# Unit tests include the module's .c to reach its statics; they link the rest.
tests/unit/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIB)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Wno-unused-function $(LDFLAGS) -o $@ $< $(LIB) \
	    $(FCGI_LIBS) $(ALL_LDLIBS)

# The store's test also talks to its server through libpq directly.
tests/unit/test_store_pg: NA_LDLIBS += -lpq

unit: $(UNIT_BINS)

check: all $(UNIT_BINS)
	tests/run-all.sh

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(CGIS) $(DESTDIR)$(LIBEXECDIR)/
	install -d $(DESTDIR)$(DATADIR)/nextauth-fcgi
	install -m 0644 share/nextauth-fcgi/nextauth.bash $(DESTDIR)$(DATADIR)/nextauth-fcgi/
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0644 include/nextauth.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    nextauth.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/nextauth.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/nextauth.pc
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(filter %.1,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(filter %.5,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(filter %.8,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS)))
	rm -f $(addprefix $(DESTDIR)$(LIBEXECDIR)/,$(notdir $(CGIS)))
	rm -f $(DESTDIR)$(DATADIR)/nextauth-fcgi/nextauth.bash
	rm -f $(DESTDIR)$(INCLUDEDIR)/nextauth.h $(DESTDIR)$(LIBDIR)/$(notdir $(LIB))
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/nextauth.pc
	rm -f $(foreach p,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p)))

clean:
	rm -f lib/*.o lib/*.d bin/*.o bin/*.d cgi-bin/*.o cgi-bin/*.d $(LIB) $(BINS) $(CGIS) $(UNIT_BINS)
	rm -f cgi-bin/examples/*.o cgi-bin/examples/*.d $(EXAMPLES)

-include $(LIB_OBJS:.o=.d) $(BINS:=.d) $(CGIS:=.d) $(EXAMPLES:=.d)

# Keep the programs' objects (make would delete them as intermediates).
.SECONDARY: $(BINS:=.o) $(CGIS:=.o) $(EXAMPLES:=.o)

# make demo [PORT=9090] [STRATEGY=database]: a private lighttpd on
# 127.0.0.1:$(PORT) with the guard, the session endpoint, the examples and a
# demo-only sign-in page (demo/run.sh; Ctrl-C stops it and removes its temp
# dir); STRATEGY=database keeps the sessions as rows of a SQLite database
# instead of tokens. Only the command line sets STRATEGY, never the
# environment. make demo-token: the CLI tour.
PORT ?= 8080
STRATEGY = jwt
.PHONY: demo demo-token
demo: all
	demo/run.sh $(PORT) $(STRATEGY)

demo-token: all
	tools/demo-token.sh

.PHONY: bench
tests/bench/bench: tests/bench/bench.c $(LIB)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(FCGI_LIBS) $(ALL_LDLIBS) -lpq

tests/bench/allow-authorizer: tests/bench/allow-authorizer.c
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(FCGI_LIBS) -lcrypto $(LDLIBS)

bench: all tests/bench/bench tests/bench/allow-authorizer
	tests/bench/bench
	tests/bench/e2e.sh
	tests/bench/modules.sh

# Further targets (fuzzing, sanitizers, load tests) live in mk/*.mk.
-include $(wildcard mk/*.mk)
