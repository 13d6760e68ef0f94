/* The transport: pty backend end to end through a real pty pair, detection,
 * exclusivity, hangup, and a libserialport smoke test on /dev/ttyS0. */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "port.h"
#include "ringca/error.h"

struct pair {
  int master, slave;
  char name[64];
};

static void make_pair(struct pair *p) {
  assert_int_equal(openpty(&p->master, &p->slave, p->name, NULL, NULL), 0);
}

static void close_pair(struct pair *p) {
  if (p->master >= 0)
    close(p->master);
  if (p->slave >= 0)
    close(p->slave);
}

static void detect_kinds(void **state) {
  (void)state;
  struct pair p;
  make_pair(&p);
  assert_int_equal(rc_port_detect(p.name), RC_PORT_PTY);
  /* The pty multiplexer is a character device but not a pty slave. */
  assert_int_equal(rc_port_detect("/dev/ptmx"), RC_PORT_SERIAL);
  assert_int_equal(rc_port_detect("/nonexistent/tty"), -ENOENT);
  assert_int_equal(rc_port_detect("/"), -ENOTTY);
  close_pair(&p);
}

/* A COBS stream is all bytes but 0x00 plus 0x00 delimiters; a cooked tty
 * would eat XON/XOFF, turn CR into LF, echo back. Raw mode must not. */
static void pty_passes_every_byte(void **state) {
  (void)state;
  struct pair p;
  make_pair(&p);
  struct rc_port port;
  char err[256];
  assert_int_equal(rc_port_open(&port, p.name, 115200, RC_PORT_AUTO, err,
                                sizeof err), 0);
  assert_int_equal(port.kind, RC_PORT_PTY);
  uint8_t all[256];
  for (int i = 0; i < 256; i++)
    all[i] = (uint8_t)i;
  assert_int_equal(write(p.master, all, sizeof all), 256);
  uint8_t got[512];
  size_t have = 0;
  for (int tries = 0; have < 256 && tries < 1000; tries++) {
    ssize_t n = rc_port_read(&port, got + have, sizeof got - have);
    assert_true(n >= 0);
    if (n == 0)
      usleep(1000);
    have += (size_t)n;
  }
  assert_int_equal(have, 256);
  assert_memory_equal(got, all, 256);
  /* Nothing echoed back to the sender. */
  int fl = fcntl(p.master, F_GETFL);
  fcntl(p.master, F_SETFL, fl | O_NONBLOCK);
  assert_int_equal(read(p.master, got, sizeof got), -1);
  assert_int_equal(rc_port_write(&port, all, sizeof all), 256);
  have = 0;
  for (int tries = 0; have < 256 && tries < 1000; tries++) {
    ssize_t n = read(p.master, got + have, sizeof got - have);
    if (n < 0)
      usleep(1000);
    else
      have += (size_t)n;
  }
  assert_int_equal(have, 256);
  assert_memory_equal(got, all, 256);
  /* Nothing to read: "would block", not an error. */
  assert_int_equal(rc_port_read(&port, got, sizeof got), 0);
  rc_port_close(&port);
  assert_int_equal(port.fd, -1);
  close_pair(&p);
}

static void second_open_refused(void **state) {
  (void)state;
  struct pair p;
  make_pair(&p);
  struct rc_port a, b;
  char err[256];
  assert_int_equal(rc_port_open(&a, p.name, 9600, RC_PORT_PTY, err,
                                sizeof err), 0);
  assert_true(rc_port_open(&b, p.name, 9600, RC_PORT_PTY, err, sizeof err) <
              0);
  assert_non_null(strstr(err, "in use"));
  assert_int_equal(b.fd, -1);
  rc_port_close(&a);
  close_pair(&p);
}

static void hangup_reads_eio(void **state) {
  (void)state;
  struct pair p;
  make_pair(&p);
  struct rc_port port;
  char err[256];
  assert_int_equal(rc_port_open(&port, p.name, 115200, RC_PORT_PTY, err,
                                sizeof err), 0);
  close(p.master);
  p.master = -1;
  assert_int_equal(rc_port_read(&port, (uint8_t[8]){0}, 8), -EIO);
  rc_port_close(&port);
  close_pair(&p);
}

static void bad_baud_and_missing_device(void **state) {
  (void)state;
  struct pair p;
  make_pair(&p);
  struct rc_port port;
  char err[256];
  assert_int_equal(rc_port_open(&port, p.name, 12345, RC_PORT_PTY, err,
                                sizeof err), RC_EINVAL);
  assert_non_null(strstr(err, "12345"));
  assert_int_equal(rc_port_open(&port, "/nonexistent/ttyX", 9600,
                                RC_PORT_AUTO, err, sizeof err), -ENOENT);
  assert_non_null(strstr(err, "/nonexistent/ttyX"));
  /* libserialport refuses a pty (no sysfs entry): the reason AUTO exists. */
  assert_true(rc_port_open(&port, p.name, 9600, RC_PORT_SERIAL, err,
                           sizeof err) < 0);
  assert_non_null(strstr(err, p.name));
  close_pair(&p);
}

/* The libserialport backend on real hardware where this machine has it. */
static void serial_smoke_ttyS0(void **state) {
  (void)state;
  if (access("/dev/ttyS0", F_OK) != 0) {
    print_message("skipping: this machine has no /dev/ttyS0\n");
    skip();
  }
  struct rc_port port;
  char err[256];
  int rc = rc_port_open(&port, "/dev/ttyS0", 115200, RC_PORT_AUTO, err,
                        sizeof err);
  if (rc != 0) {
    print_message("skipping: /dev/ttyS0 cannot be opened here: %s\n", err);
    skip();
  }
  assert_int_equal(port.kind, RC_PORT_SERIAL);
  assert_non_null(port.sp);
  struct termios tio;
  assert_int_equal(tcgetattr(port.fd, &tio), 0);
  assert_int_equal(cfgetospeed(&tio), B115200);
  assert_int_equal(tio.c_cflag & CSIZE, CS8);
  assert_int_equal(tio.c_cflag & (PARENB | CSTOPB | CRTSCTS), 0);
  assert_int_equal(tio.c_iflag & (IXON | IXOFF), 0);
  assert_true(fcntl(port.fd, F_GETFL) & O_NONBLOCK);
  rc_port_close(&port);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(detect_kinds),
      cmocka_unit_test(pty_passes_every_byte),
      cmocka_unit_test(second_open_refused),
      cmocka_unit_test(hangup_reads_eio),
      cmocka_unit_test(bad_baud_and_missing_device),
      cmocka_unit_test(serial_smoke_ttyS0),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
