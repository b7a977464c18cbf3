# SPDX-License-Identifier: MIT
# mk/nginx.mk — ngx_http_nextauth_module, the guard as a native nginx module.
#
#   make nginx-module
#       Build nginx/ngx_http_nextauth_module.so from nginx/ngx_http_nextauth_module.c
#       (nginx/config names it for nginx's build system) and lib/pic/libnextauth_pic.a
#       (mk/apache.mk: the library as PIC, without the FastCGI loop), for the
#       installed nginx. As Debian builds its own libnginx-mod-* packages (the
#       nginx_mod debhelper build system of nginx-dev): nginx's configure, run
#       in /usr/share/nginx/src with the flags the packaged nginx was
#       configured with (conf_flags: --with-compat among them, so the module's
#       signature matches the binary), --add-dynamic-module=nginx and
#       --builddir=$(NGX_BUILD); then `make modules` with the Makefile it wrote
#       there. Nothing is written into nginx's source tree or ours but
#       $(NGX_BUILD) and the .so (both ignored by git). nginx compiles the
#       module with its own -W -Wall -Werror and NGX_CC_OPT below.
#   load_module <repo>/nginx/ngx_http_nextauth_module.so; loads it.

NGX_SRC     ?= /usr/share/nginx/src
NGX_BUILD   := build/nginx
NGX_MODULE  := nginx/ngx_http_nextauth_module.so
# What nginx compiles (the module's file and the list of its module records)
# with, after its own "-W -Wall -Wpointer-arith -Wno-unused-parameter -Werror":
# Debian's way (CFLAGS -fPIC CPPFLAGS), with the project's CFLAGS, hardening
# and warnings (unused parameters too), and our source paths made relative in
# the debug information, so that the build does not depend on where the tree
# is. No -Werror or -std here: configure tests the system's features with
# these flags, and those must come out as for the packaged nginx.
NGX_CC_OPT   = $(CFLAGS) -fPIC -fstack-protector-strong -Wall -Wextra -Wunused-parameter \
               -Wshadow -Wstrict-prototypes -Wformat=2 -ffile-prefix-map=$(CURDIR)=. \
               $(NA_FORTIFY) $(CPPFLAGS)
NGX_LD_OPT   = $(LDFLAGS) -fPIC -Wl,-z,relro -Wl,-z,now -Wl,--exclude-libs,ALL $(LDLIBS)

.PHONY: nginx-module

nginx-module: $(NGX_MODULE)

# configure once per change of the module's build description or of nginx-dev.
$(NGX_BUILD)/Makefile: nginx/config mk/nginx.mk $(NGX_SRC)/conf_flags
	@test -x $(NGX_SRC)/configure || { echo "$(NGX_SRC)/configure not found: install nginx-dev (tools/deps.sh)" >&2; exit 1; }
	rm -rf $(NGX_BUILD)
	mkdir -p $(NGX_BUILD)
	cd $(NGX_SRC) && bash -c '. ./conf_flags && ./configure \
	    --with-cc-opt="$$1" --with-ld-opt="$$2" "$${NGX_CONF_FLAGS[@]}" \
	    --add-dynamic-module="$$3" --builddir="$$4"' configure \
	    '$(NGX_CC_OPT)' '$(NGX_LD_OPT)' '$(CURDIR)/nginx' '$(CURDIR)/$(NGX_BUILD)' \
	    >$(CURDIR)/$(NGX_BUILD)/configure.log 2>&1 || \
	    { tail -n 20 $(CURDIR)/$(NGX_BUILD)/configure.log >&2; exit 1; }

# The module's own file is compiled again when it, a header of the library or
# the archive changes (nginx's Makefile knows of neither).
$(NGX_MODULE): nginx/ngx_http_nextauth_module.c $(wildcard lib/*.h) lib/pic/libnextauth_pic.a $(NGX_BUILD)/Makefile
	rm -f $(NGX_BUILD)/addon/nginx/ngx_http_nextauth_module.o \
	    $(NGX_BUILD)/ngx_http_nextauth_module.so
	$(MAKE) --no-print-directory -f $(CURDIR)/$(NGX_BUILD)/Makefile -C $(NGX_SRC) modules
	cp $(NGX_BUILD)/ngx_http_nextauth_module.so $@

clean: nginx-clean
.PHONY: nginx-clean
nginx-clean:
	rm -rf $(NGX_BUILD) $(NGX_MODULE)

# tests/mod-nginx.bats runs in `make check` and loads the module.
check: nginx-module
