# SPDX-License-Identifier: MIT
# mk/soak.mk — the load-and-fault test of tests/load/.
#
#   make soak [SOAK_SECONDS=600]
#       Build everything, then run tests/load/run.sh for SOAK_SECONDS (10
#       minutes): a private lighttpd on loopback with the guard as its FastCGI
#       authorizer, driven by wrk with valid, expired, tampered and garbage
#       sessions while a guard process is SIGKILLed every 3 s and the secret
#       file is taken away once; guard RSS sampled throughout. Ends with
#       "N passed, N failed" and fails when any check failed.
#       tests/load/README.md explains the report and shows one run.
#   make load
#       The same, short form (LOAD_SECONDS, default 20 s); `make check` runs it
#       through tests/run-all.sh.
# Every other knob of run.sh (LOAD_CONNECTIONS, LOAD_PROCS, LOAD_KILL_EVERY, …)
# passes through the environment.

SOAK_SECONDS ?= 600

.PHONY: soak load

soak: all
	LOAD_SECONDS=$(SOAK_SECONDS) tests/load/run.sh

load: all
	tests/load/run.sh
