/* The logging vocabulary of every ringca program (after OpenBSD's log.h).
 * Messages name the object and the reason:
 *   "link im1:ttyS2: violation: replay (counter 41 after 57)".
 * Under systemd (JOURNAL_STREAM set) lines carry <N> syslog priority prefixes
 * so journald keeps the level; on a terminal they read "prog: warning: ...". */
#ifndef RINGCA_LOG_H
#define RINGCA_LOG_H

#define RC_PRINTF(a, b) __attribute__((format(printf, a, b)))

void rc_log_init(const char *progname, int verbose);
/* A trip and anything else an operator must act on (syslog crit). */
void rc_log_crit(const char *fmt, ...) RC_PRINTF(1, 2);
void rc_log_warn(const char *fmt, ...) RC_PRINTF(1, 2);  /* appends errno */
void rc_log_warnx(const char *fmt, ...) RC_PRINTF(1, 2);
void rc_log_info(const char *fmt, ...) RC_PRINTF(1, 2);
void rc_log_debug(const char *fmt, ...) RC_PRINTF(1, 2);
_Noreturn void rc_fatal(const char *fmt, ...) RC_PRINTF(1, 2);
_Noreturn void rc_fatalx(const char *fmt, ...) RC_PRINTF(1, 2);

#endif
