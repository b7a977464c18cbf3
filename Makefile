# nextauth-fcgi — NextAuth.js session checks in C for Apache, lighttpd and nginx.
# `make` builds the library and the programs; `make check` runs every test suite.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -DNA_VERSION='"$(VERSION)"'
LDLIBS   += -ljansson -lcrypto
AR       ?= ar

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:.c=.o)
LIB      := lib/libnextauth.a
BINS     := bin/nextauth-token
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:.c=)

.PHONY: all check unit install uninstall clean

all: $(LIB) $(BINS)

# -MMD -MP: header dependencies, so a changed header rebuilds what includes it.
%.o: %.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

bin/%: bin/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Unit tests include the module's .c to reach its statics; they link the rest.
tests/unit/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-unused-function -o $@ $< $(LIB) $(LDLIBS)

unit: $(UNIT_BINS)

check: all $(UNIT_BINS)
	tests/run-all.sh

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS)))

clean:
	rm -f lib/*.o lib/*.d bin/*.o bin/*.d $(LIB) $(BINS) $(UNIT_BINS)

-include $(LIB_OBJS:.o=.d) $(BINS:=.d)

.PHONY: demo
demo: all
	tools/demo-token.sh
