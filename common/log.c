#include "ringca/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_prog = "ringca";
static int log_verbose;
static int log_journal;

void rc_log_init(const char *progname, int verbose) {
  log_prog = progname;
  log_verbose = verbose;
  log_journal = getenv("JOURNAL_STREAM") != NULL;
}

/* syslog priorities: 2 crit, 4 warning, 6 info, 7 debug. */
/* format(printf, 4, 0): clang's -Wformat-nonliteral (make fuzz) needs to
 * know fmt was checked at the public entry points. */
__attribute__((format(printf, 4, 0))) static void
vlog(int prio, const char *level, const char *errstr, const char *fmt,
     va_list ap) {
  char msg[1024];
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (log_journal)
    fprintf(stderr, "<%d>%s%s%s\n", prio, msg, errstr ? ": " : "",
            errstr ? errstr : "");
  else
    fprintf(stderr, "%s: %s%s%s%s\n", log_prog, level, msg,
            errstr ? ": " : "", errstr ? errstr : "");
}

void rc_log_crit(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(2, "CRITICAL: ", NULL, fmt, ap);
  va_end(ap);
}

void rc_log_warn(const char *fmt, ...) {
  const char *e = strerror(errno);
  va_list ap;
  va_start(ap, fmt);
  vlog(4, "warning: ", e, fmt, ap);
  va_end(ap);
}

void rc_log_warnx(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(4, "warning: ", NULL, fmt, ap);
  va_end(ap);
}

void rc_log_info(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(6, "", NULL, fmt, ap);
  va_end(ap);
}

void rc_log_debug(const char *fmt, ...) {
  if (!log_verbose)
    return;
  va_list ap;
  va_start(ap, fmt);
  vlog(7, "debug: ", NULL, fmt, ap);
  va_end(ap);
}

void rc_fatal(const char *fmt, ...) {
  const char *e = strerror(errno);
  va_list ap;
  va_start(ap, fmt);
  vlog(2, "fatal: ", e, fmt, ap);
  va_end(ap);
  exit(1);
}

void rc_fatalx(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(2, "fatal: ", NULL, fmt, ap);
  va_end(ap);
  exit(1);
}
