# SPDX-License-Identifier: MIT
# mk/deb.mk — the Debian packages of debian/ (nextauth-fcgi, nextauth-fcgi-dev).
#
#   make deb [DEB_DIR=build/deb]
#       Copy the source tree into $(DEB_DIR)/src/nextauth-fcgi-$(VERSION)/ (the
#       files git knows, tracked or new and not ignored, as they are in the
#       working tree; without git, everything but build/ and .git), run
#       `dpkg-buildpackage -us -uc -b` in the copy, and move what it writes
#       beside the copy (the .deb files, the debug symbols' .ddeb, .buildinfo,
#       .changes) to $(DEB_DIR)/: the repository and its parent stay clean.
#       The copy is removed after a build that succeeded, kept after one that
#       failed. DEB_BUILD_OPTIONS passes through ("nocheck" leaves out the unit
#       tests that debian/rules runs); parallel=<number of CPUs> is added when
#       it names no parallel=.
#   make deb-lint
#       lintian on the .deb files of $(DEB_DIR); fails on an error (E:).
# Needs the Debian packages debhelper (with dpkg-dev), the Build-Depends of
# debian/control (the build's own, see tools/deps.sh), and lintian for
# deb-lint. Not root: debian/control says Rules-Requires-Root: no.

DEB_DIR   ?= build/deb
DEB_SRC    = $(DEB_DIR)/src/nextauth-fcgi-$(VERSION)
DEB_OPTS   = $(DEB_BUILD_OPTIONS) $(if $(findstring parallel=,$(DEB_BUILD_OPTIONS)),,parallel=$(shell nproc 2>/dev/null || echo 1))

.PHONY: deb deb-lint

deb:
	@test -n "$(DEB_DIR)" && test "$(DEB_DIR)" != /
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	if git -C $(CURDIR) rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git -C $(CURDIR) ls-files -z -c -o --exclude-standard | \
	        tar -C $(CURDIR) --null --ignore-failed-read -T - -cf - | tar -C $(DEB_SRC) -xf -; \
	else \
	    tar -C $(CURDIR) --exclude=./build --exclude=./.git -cf - . | tar -C $(DEB_SRC) -xf -; \
	fi
	cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL DEB_BUILD_OPTIONS="$(strip $(DEB_OPTS))" \
	    dpkg-buildpackage -us -uc -b
	mv $(DEB_DIR)/src/*.deb $(wildcard $(DEB_DIR)/src/*.ddeb) $(DEB_DIR)/src/*.buildinfo \
	    $(DEB_DIR)/src/*.changes $(DEB_DIR)/
	rm -rf $(DEB_DIR)/src
	@ls -1 $(DEB_DIR)/*.deb

deb-lint:
	lintian --fail-on error $(DEB_DIR)/*.deb
