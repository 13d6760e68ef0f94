#include "port.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "ringca/error.h"

/* Linux device numbers (Documentation/admin-guide/devices.txt). */
#define UNIX98_PTY_SLAVE_MAJOR_FIRST 136u
#define UNIX98_PTY_SLAVE_MAJOR_LAST 143u
#define BSD_PTY_SLAVE_MAJOR 3u

const char *rc_port_kind_name(enum rc_port_kind k) {
  switch (k) {
  case RC_PORT_AUTO: return "auto";
  case RC_PORT_SERIAL: return "serial";
  case RC_PORT_PTY: return "pty";
  }
  return "?";
}

int rc_port_detect(const char *device) {
  struct stat st;
  if (stat(device, &st) != 0)
    return -errno;
  if (!S_ISCHR(st.st_mode))
    return -ENOTTY;
  unsigned maj = major(st.st_rdev);
  if ((maj >= UNIX98_PTY_SLAVE_MAJOR_FIRST &&
       maj <= UNIX98_PTY_SLAVE_MAJOR_LAST) ||
      maj == BSD_PTY_SLAVE_MAJOR)
    return RC_PORT_PTY;
  return RC_PORT_SERIAL;
}

static speed_t baud_to_speed(uint32_t baud) {
  switch (baud) {
  case 1200: return B1200;
  case 2400: return B2400;
  case 4800: return B4800;
  case 9600: return B9600;
  case 19200: return B19200;
  case 38400: return B38400;
  case 57600: return B57600;
  case 115200: return B115200;
  case 230400: return B230400;
  case 460800: return B460800;
  case 921600: return B921600;
  default: return B0;
  }
}

/* Exclusive use of a cable: TIOCEXCL keeps other unprivileged openers out,
 * flock() also catches a second ringca process running as root. */
static int make_exclusive(int fd, const char *device, char *err,
                          size_t errlen) {
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    snprintf(err, errlen, "%s: already in use by another process (%s)",
             device, strerror(e));
    return -e;
  }
  if (ioctl(fd, TIOCEXCL) != 0) {
    int e = errno;
    snprintf(err, errlen, "%s: cannot get exclusive access: %s", device,
             strerror(e));
    return -e;
  }
  return 0;
}

static int set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
    return -errno;
  int fdfl = fcntl(fd, F_GETFD);
  if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) != 0)
    return -errno;
  return 0;
}

static int open_pty(struct rc_port *p, char *err, size_t errlen) {
  speed_t speed = baud_to_speed(p->baud);
  if (speed == B0) {
    snprintf(err, errlen, "%s: unsupported baud rate %u", p->device, p->baud);
    return RC_EINVAL;
  }
  int fd = open(p->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    snprintf(err, errlen, "%s: cannot open: %s", p->device, strerror(e));
    return -e;
  }
  int rc = make_exclusive(fd, p->device, err, errlen);
  if (rc) {
    close(fd);
    return rc;
  }
  struct termios tio;
  if (tcgetattr(fd, &tio) != 0) {
    rc = -errno;
    snprintf(err, errlen, "%s: not a terminal: %s", p->device, strerror(-rc));
    close(fd);
    return rc;
  }
  /* Raw 8N1: no echo, no line discipline, no CR/LF mangling, no flow
   * control; every byte of a COBS frame passes untouched. */
  cfmakeraw(&tio);
  tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS | CSIZE);
  tio.c_cflag |= CS8 | CREAD | CLOCAL;
  tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  cfsetispeed(&tio, speed);
  cfsetospeed(&tio, speed);
  if (tcsetattr(fd, TCSANOW, &tio) != 0) {
    rc = -errno;
    snprintf(err, errlen, "%s: cannot set raw 8N1 at %u baud: %s", p->device,
             p->baud, strerror(-rc));
    close(fd);
    return rc;
  }
  /* Bytes left in the line from before we opened it belong to a session
   * that no longer exists; dropping them here saves counting them stale. */
  tcflush(fd, TCIOFLUSH);
  p->fd = fd;
  return 0;
}

static int sp_fail(struct rc_port *p, const char *step, char *err,
                   size_t errlen) {
  char *msg = sp_last_error_message();
  snprintf(err, errlen, "%s: %s: %s", p->device, step,
           msg ? msg : "libserialport error");
  if (msg)
    sp_free_error_message(msg);
  if (p->sp) {
    sp_close(p->sp);
    sp_free_port(p->sp);
    p->sp = NULL;
  }
  p->fd = -1;
  return RC_EIO;
}

static int open_serial(struct rc_port *p, char *err, size_t errlen) {
  if (sp_get_port_by_name(p->device, &p->sp) != SP_OK) {
    p->sp = NULL;
    return sp_fail(p, "not a serial port libserialport knows", err, errlen);
  }
  if (sp_open(p->sp, SP_MODE_READ_WRITE) != SP_OK) {
    sp_free_port(p->sp);
    p->sp = NULL;
    return sp_fail(p, "cannot open", err, errlen);
  }
  if (sp_set_baudrate(p->sp, (int)p->baud) != SP_OK)
    return sp_fail(p, "cannot set baud rate", err, errlen);
  if (sp_set_bits(p->sp, 8) != SP_OK || sp_set_parity(p->sp, SP_PARITY_NONE) != SP_OK ||
      sp_set_stopbits(p->sp, 1) != SP_OK)
    return sp_fail(p, "cannot set 8N1", err, errlen);
  if (sp_set_flowcontrol(p->sp, SP_FLOWCONTROL_NONE) != SP_OK)
    return sp_fail(p, "cannot disable flow control", err, errlen);
  int fd = -1;
  if (sp_get_port_handle(p->sp, &fd) != SP_OK || fd < 0)
    return sp_fail(p, "no file descriptor", err, errlen);
  int rc = make_exclusive(fd, p->device, err, errlen);
  if (rc == 0 && (rc = set_nonblock(fd)) != 0)
    snprintf(err, errlen, "%s: cannot make non-blocking: %s", p->device,
             strerror(-rc));
  if (rc) {
    sp_close(p->sp);
    sp_free_port(p->sp);
    p->sp = NULL;
    return rc;
  }
  sp_flush(p->sp, SP_BUF_BOTH);
  p->fd = fd;
  return 0;
}

int rc_port_open(struct rc_port *p, const char *device, uint32_t baud,
                 enum rc_port_kind kind, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  p->fd = -1;
  if (strlen(device) >= sizeof p->device) {
    snprintf(err, errlen, "%s: device path too long", device);
    return RC_EINVAL;
  }
  memcpy(p->device, device, strlen(device) + 1);
  p->baud = baud;
  if (kind == RC_PORT_AUTO) {
    int k = rc_port_detect(device);
    if (k < 0) {
      snprintf(err, errlen, "%s: cannot open: %s", device, strerror(-k));
      return k;
    }
    kind = (enum rc_port_kind)k;
  }
  p->kind = kind;
  return kind == RC_PORT_PTY ? open_pty(p, err, errlen)
                             : open_serial(p, err, errlen);
}

void rc_port_close(struct rc_port *p) {
  if (p->sp) {
    sp_close(p->sp); /* closes the fd */
    sp_free_port(p->sp);
    p->sp = NULL;
  } else if (p->fd >= 0) {
    close(p->fd);
  }
  p->fd = -1;
}

ssize_t rc_port_read(struct rc_port *p, uint8_t *buf, size_t cap) {
  for (;;) {
    ssize_t n = read(p->fd, buf, cap);
    if (n > 0)
      return n;
    if (n == 0)
      return -EIO; /* a tty reads 0 only when its other end hung up */
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return 0;
    return -errno;
  }
}

ssize_t rc_port_write(struct rc_port *p, const uint8_t *buf, size_t len) {
  for (;;) {
    ssize_t n = write(p->fd, buf, len);
    if (n >= 0)
      return n;
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return 0;
    return -errno;
  }
}
