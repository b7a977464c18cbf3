# SPDX-License-Identifier: MIT
# mk/soak.mk — the load-and-fault test of tests/load/.
#
#   make soak [SOAK_SECONDS=600] [DB=sqlite|pg]
#       Build everything, then run tests/load/run.sh for SOAK_SECONDS (10
#       minutes): a private lighttpd on loopback with the guard as its FastCGI
#       authorizer, driven by wrk with valid, expired, tampered and garbage
#       sessions while a guard process is SIGKILLed every 3 s and the secret
#       file is taken away once; guard RSS sampled throughout. Ends with
#       "N passed, N failed" and fails when any check failed.
#       tests/load/README.md explains the report and shows one run.
#   make load [DB=sqlite|pg]
#       The same, short form (LOAD_SECONDS, default 20 s); `make check` runs it
#       through tests/run-all.sh, and a shorter run of each database mode.
#   DB=sqlite, DB=pg (given on the command line)
#       Database sessions instead of tokens (LOAD_DB): the guard reads a
#       Prisma database, a SQLite file or a private PostgreSQL server, which
#       goes away once (stopped, locked) while three sessions are revoked
#       later on; no secret fault. DB=jwt, or no DB, is the token mode.
# Every other knob of run.sh (LOAD_CONNECTIONS, LOAD_PROCS, LOAD_KILL_EVERY, …)
# passes through the environment.

SOAK_SECONDS ?= 600
# DB from the command line only: a DB variable of the environment (a common
# name) must not switch the mode; LOAD_DB of the environment still does
LOAD_DB_ARG := $(if $(filter command line,$(origin DB)),LOAD_DB=$(DB))

.PHONY: soak load

soak: all
	LOAD_SECONDS=$(SOAK_SECONDS) $(LOAD_DB_ARG) tests/load/run.sh

load: all
	$(LOAD_DB_ARG) tests/load/run.sh
