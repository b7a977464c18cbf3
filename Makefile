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

CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Ilib -DNA_VERSION='"$(VERSION)"'
LDLIBS   += -ljansson -lcrypto
FCGI_LIBS := -lfcgi
AR       ?= ar

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:.c=.o)
LIB      := lib/libnextauth.a
BINS     := bin/nextauth-token
CGIS     := cgi-bin/nextauth-session cgi-bin/nextauth-guard
# Pages written on the public API (include/nextauth.h); built and tested, not installed.
EXAMPLES := cgi-bin/examples/hello-api cgi-bin/examples/protected-page
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:.c=)

.PHONY: all check unit install uninstall clean

all: $(LIB) $(BINS) $(CGIS) $(EXAMPLES)

# -MMD -MP: header dependencies, so a changed header rebuilds what includes it.
%.o: %.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

bin/%: bin/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

cgi-bin/%: cgi-bin/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(FCGI_LIBS) $(LDLIBS)

# Unit tests include the module's .c to reach its statics; they link the rest.
tests/unit/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-unused-function -o $@ $< $(LIB) $(FCGI_LIBS) $(LDLIBS)

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

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS)))
	rm -f $(addprefix $(DESTDIR)$(LIBEXECDIR)/,$(notdir $(CGIS)))
	rm -f $(DESTDIR)$(DATADIR)/nextauth-fcgi/nextauth.bash
	rm -f $(DESTDIR)$(INCLUDEDIR)/nextauth.h $(DESTDIR)$(LIBDIR)/$(notdir $(LIB))
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/nextauth.pc

clean:
	rm -f lib/*.o lib/*.d bin/*.o bin/*.d cgi-bin/*.o cgi-bin/*.d $(LIB) $(BINS) $(CGIS) $(UNIT_BINS)
	rm -f cgi-bin/examples/*.o cgi-bin/examples/*.d $(EXAMPLES)

-include $(LIB_OBJS:.o=.d) $(BINS:=.d) $(CGIS:=.d) $(EXAMPLES:=.d)

# Keep the programs' objects (make would delete them as intermediates).
.SECONDARY: $(BINS:=.o) $(CGIS:=.o) $(EXAMPLES:=.o)

# make demo [PORT=9090]: a private lighttpd on 127.0.0.1:$(PORT) with the guard,
# the session endpoint, the examples and a demo-only sign-in page (demo/run.sh;
# Ctrl-C stops it and removes its temp dir). make demo-token: the CLI tour.
PORT ?= 8080
.PHONY: demo demo-token
demo: all
	demo/run.sh $(PORT)

demo-token: all
	tools/demo-token.sh

.PHONY: bench
tests/bench/bench: tests/bench/bench.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(FCGI_LIBS) $(LDLIBS)

tests/bench/allow-authorizer: tests/bench/allow-authorizer.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(FCGI_LIBS) -lcrypto

bench: all tests/bench/bench tests/bench/allow-authorizer
	tests/bench/bench
	tests/bench/e2e.sh

# Further targets (fuzzing, sanitizers, load tests) live in mk/*.mk.
-include $(wildcard mk/*.mk)
