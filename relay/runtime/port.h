/* The transport under a link (layer 1 of docs/architecture.md): one open
 * serial device, raw 8N1 at the configured baud, no flow control, exclusive.
 *
 * Two backends behind one struct, because Debian's libserialport 0.1.1 looks
 * ports up in sysfs and so refuses ptys, which have no entry there:
 *   RC_PORT_SERIAL  libserialport (real UARTs, USB adapters)
 *   RC_PORT_PTY     termios on the raw fd (labs, tests)
 * RC_PORT_AUTO picks by the character device's major number. Either way the
 * caller gets a non-blocking fd to poll; reads and writes go through it. */
#ifndef RINGCA_RUNTIME_PORT_H
#define RINGCA_RUNTIME_PORT_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringca/topology.h"

struct sp_port;

struct rc_port {
  int fd;                    /* -1 when closed */
  enum rc_port_kind kind;    /* resolved: SERIAL or PTY, never AUTO */
  struct sp_port *sp;        /* SERIAL only */
  char device[RC_PATH_MAX];
  uint32_t baud;
};

/* What AUTO means for this device: PTY for Unix98/BSD pty slaves (also
 * through symlinks, as the lab makes), SERIAL otherwise. Returns RC_PORT_*
 * or -errno when the device cannot be stat'ed. */
int rc_port_detect(const char *device);

/* Opens and configures the device. On failure returns a negative RC_E* (or
 * -errno) and writes one sentence naming the device and the step into err.
 * The port struct is left closed (fd -1). */
int rc_port_open(struct rc_port *p, const char *device, uint32_t baud,
                 enum rc_port_kind kind, char *err, size_t errlen);
void rc_port_close(struct rc_port *p);

/* Non-blocking I/O. Return bytes moved, 0 for "would block", or -errno
 * (-EIO: the other end of a pty went away / the adapter was unplugged). */
ssize_t rc_port_read(struct rc_port *p, uint8_t *buf, size_t cap);
ssize_t rc_port_write(struct rc_port *p, const uint8_t *buf, size_t len);

const char *rc_port_kind_name(enum rc_port_kind k);

#endif
