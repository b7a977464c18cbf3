# SPDX-License-Identifier: MIT
# mk/apache.mk — mod_nextauth, the guard as a native Apache 2.4 module.
#
#   make apache-module
#       Build apache/mod_nextauth.so from apache/mod_nextauth.c and the
#       library compiled again as position-independent code (lib/pic/*.o into
#       lib/pic/libnextauth_pic.a: the default build is PIE, which a shared
#       object cannot hold). Apache's and APR's headers come from `apxs -q` and
#       `apr-1-config` (Debian apache2-dev) as -isystem, so our warnings stay
#       fatal for our code only. Linked with -ljansson -lcrypto -lsqlite3;
#       libpq is loaded when first needed (lib/pqdl.c), and libfcgi never: the
#       objects of the FastCGI loop (serve.c, app.c, which calls it, and
#       nextauth.c, the page API on top of app.c) are left out of the archive.
#   LoadModule nextauth_module <repo>/apache/mod_nextauth.so loads it.

APXS        ?= apxs
APR_CONFIG  ?= apr-1-config
AP_INCLUDES  = $(shell $(APXS) -q INCLUDEDIR 2>/dev/null) \
               $(patsubst -I%,%,$(shell $(APR_CONFIG) --includes 2>/dev/null))
AP_CPPFLAGS  = $(addprefix -isystem ,$(AP_INCLUDES)) $(shell $(APR_CONFIG) --cppflags 2>/dev/null)

PIC_DIR      := lib/pic
PIC_SKIP     := lib/serve.c lib/app.c lib/nextauth.c
PIC_OBJS     := $(patsubst lib/%.c,$(PIC_DIR)/%.o,$(filter-out $(PIC_SKIP),$(LIB_SRCS)))
PIC_LIB      := $(PIC_DIR)/libnextauth_pic.a
AP_MODULE    := apache/mod_nextauth.so

.PHONY: apache-module

apache-module: $(AP_MODULE)

$(PIC_DIR):
	mkdir -p $@

$(PIC_DIR)/%.o: lib/%.c | $(PIC_DIR)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(PIC_LIB): $(PIC_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

apache/mod_nextauth.o: apache/mod_nextauth.c
	@command -v $(APXS) >/dev/null || { echo "apxs not found: install apache2-dev (tools/deps.sh)" >&2; exit 1; }
	$(CC) $(ALL_CPPFLAGS) $(AP_CPPFLAGS) $(ALL_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(AP_MODULE): apache/mod_nextauth.o $(PIC_LIB)
	$(CC) $(LDFLAGS) -shared -Wl,--exclude-libs,ALL -Wl,-z,relro -Wl,-z,now -o $@ $< $(PIC_LIB) \
	    $(ALL_LDLIBS)

clean: apache-clean
.PHONY: apache-clean
apache-clean:
	rm -rf $(PIC_DIR) apache/*.o apache/*.d $(AP_MODULE)

-include $(PIC_OBJS:.o=.d) apache/mod_nextauth.d

# tests/mod-apache.bats runs in `make check` and loads the module.
check: apache-module
