/* SPDX-License-Identifier: MIT */
/* pqdl.h — libpq, loaded when a PostgreSQL store is first opened.
 *
 * The programs are linked without libpq: it and the libraries it needs
 * (Kerberos, LDAP, TLS, about twenty in all on Debian) would be mapped into
 * every guard process, the token-only majority included, and cost each of
 * them about 1 MiB of resident memory. na_pqdl_load dlopen()s libpq.so.5 (the
 * soname of every libpq since PostgreSQL 8.4) the first time a PostgreSQL url
 * is opened, and resolves the functions store_pg.c calls; it stays loaded for
 * the life of the process.
 *
 * Include this header in place of <libpq-fe.h>: it includes that header (for
 * the types and the prototypes the table is typed from) and then makes each
 * PQ name below a call through the table, so that the caller's code reads as
 * plain libpq. Calling one before na_pqdl_load succeeded is a NULL call. */
#ifndef NA_PQDL_H
#define NA_PQDL_H

#include <libpq-fe.h>

#include "err.h"

/* X(name) for every libpq function the store calls. */
#define NA_PQDL_FUNCTIONS(X)                                                                     \
    X(PQclear) X(PQcmdTuples) X(PQconnectPoll) X(PQconnectStartParams) X(PQconninfoFree)         \
    X(PQconninfoParse) X(PQconsumeInput) X(PQerrorMessage) X(PQfinish) X(PQflush) X(PQfreemem)   \
    X(PQftype) X(PQgetResult) X(PQgetisnull) X(PQgetlength) X(PQgetvalue) X(PQisBusy)            \
    X(PQnfields) X(PQntuples) X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus)    \
    X(PQsendPrepare) X(PQsendQuery) X(PQsendQueryParams) X(PQsendQueryPrepared)                  \
    X(PQsetNoticeProcessor) X(PQsetnonblocking) X(PQsocket) X(PQstatus)

/* Each pointer has the type of libpq-fe.h's own prototype (__typeof__, which
 * gcc and clang accept in C11 mode), so a call that does not match libpq's
 * declaration does not compile. */
#define NA_PQDL_FIELD(f) __typeof__(f) *f;
typedef struct {
    NA_PQDL_FUNCTIONS(NA_PQDL_FIELD)
} na_pqdl_table;
#undef NA_PQDL_FIELD

/* Filled by na_pqdl_load; read-only after it. */
extern na_pqdl_table na_pqdl;

/* Loads libpq.so.5 and resolves every function, once per process (the first
 * call does the work, under pthread_once, so threads may call it at once;
 * later calls return its result). Returns 0, or -1 with err filled
 * (NA_E_CONFIG: libpq is not installed, or lacks a function — the message
 * names the library and the cause). */
int na_pqdl_load(na_err *err);

/* From here on PQclear(r) means na_pqdl.PQclear(r): a macro is not expanded
 * again inside its own replacement (C11 6.10.3.4), so the member keeps its
 * name. pqdl.c, which fills the table by these names, defines
 * NA_PQDL_TABLE_ONLY to go without. */
#ifndef NA_PQDL_TABLE_ONLY
#define PQclear (na_pqdl.PQclear)
#define PQcmdTuples (na_pqdl.PQcmdTuples)
#define PQconnectPoll (na_pqdl.PQconnectPoll)
#define PQconnectStartParams (na_pqdl.PQconnectStartParams)
#define PQconninfoFree (na_pqdl.PQconninfoFree)
#define PQconninfoParse (na_pqdl.PQconninfoParse)
#define PQconsumeInput (na_pqdl.PQconsumeInput)
#define PQerrorMessage (na_pqdl.PQerrorMessage)
#define PQfinish (na_pqdl.PQfinish)
#define PQflush (na_pqdl.PQflush)
#define PQfreemem (na_pqdl.PQfreemem)
#define PQftype (na_pqdl.PQftype)
#define PQgetResult (na_pqdl.PQgetResult)
#define PQgetisnull (na_pqdl.PQgetisnull)
#define PQgetlength (na_pqdl.PQgetlength)
#define PQgetvalue (na_pqdl.PQgetvalue)
#define PQisBusy (na_pqdl.PQisBusy)
#define PQnfields (na_pqdl.PQnfields)
#define PQntuples (na_pqdl.PQntuples)
#define PQresultErrorField (na_pqdl.PQresultErrorField)
#define PQresultErrorMessage (na_pqdl.PQresultErrorMessage)
#define PQresultStatus (na_pqdl.PQresultStatus)
#define PQsendPrepare (na_pqdl.PQsendPrepare)
#define PQsendQuery (na_pqdl.PQsendQuery)
#define PQsendQueryParams (na_pqdl.PQsendQueryParams)
#define PQsendQueryPrepared (na_pqdl.PQsendQueryPrepared)
#define PQsetNoticeProcessor (na_pqdl.PQsetNoticeProcessor)
#define PQsetnonblocking (na_pqdl.PQsetnonblocking)
#define PQsocket (na_pqdl.PQsocket)
#define PQstatus (na_pqdl.PQstatus)
#endif

#endif
