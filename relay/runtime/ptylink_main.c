/* ringca-ptylink: a null-modem cable made of two pty pairs, for labs.
 *
 * Each end of the "cable" is the slave side of its own pty pair, published
 * under a stable path (a symlink) that a topology names as a port device.
 * The helper copies bytes between the two masters the way a wire does: it
 * always reads (a UART transmits whether anyone listens), optionally paces
 * each direction at the line rate, and drops what the far end cannot take
 * once its buffer is full, counting the loss. Killing the helper cuts the
 * cable: both ends see a hangup.
 *
 * The helper keeps both slaves open itself so that a node restarting on one
 * end does not hang up the master (which would read EIO and spin). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define LINE_BUFFER 65536u /* bytes in flight per direction */
#define UART_BURST 64u     /* bytes a paced direction may send at once */

struct direction {
  int from, to;
  uint8_t buf[LINE_BUFFER];
  size_t head, len;
  double allowance;   /* bytes the line may carry now (pacing) */
  uint64_t dropped;
  uint64_t carried;
};

struct end {
  int master, slave;
  char slave_name[64];
  const char *path;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: ringca-ptylink [--baud N] [--verbose] PATH_A PATH_B\n"
          "\n"
          "Creates a lab cable: two pty pairs whose slave devices appear as\n"
          "symlinks PATH_A and PATH_B, with bytes copied between them like a\n"
          "null-modem cable. --baud N paces each direction at N baud (8N1,\n"
          "10 bits per byte); without it bytes pass as fast as they come.\n"
          "SIGTERM/SIGINT remove the symlinks and exit: the cable is cut.\n"
          "\n"
          "example:\n"
          "  ringca-ptylink --baud 115200 run/fe1.tty0 run/im1.tty0 &\n"
          "\n"
          "exit status: 0 stopped by a signal, 1 runtime error, 2 usage\n");
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int publish(struct end *e) {
  char tmp[4096];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%ld", e->path, (long)getpid()) >=
      sizeof tmp)
    return -ENAMETOOLONG;
  unlink(tmp);
  if (symlink(e->slave_name, tmp) != 0)
    return -errno;
  if (rename(tmp, e->path) != 0) {
    int rc = -errno;
    unlink(tmp);
    return rc;
  }
  return 0;
}

static int open_end(struct end *e) {
  struct termios tio;
  memset(&tio, 0, sizeof tio);
  cfmakeraw(&tio);
  tio.c_cflag |= CS8 | CREAD | CLOCAL;
  cfsetspeed(&tio, B115200);
  if (openpty(&e->master, &e->slave, e->slave_name, &tio, NULL) != 0)
    return -errno;
  fcntl(e->master, F_SETFL, fcntl(e->master, F_GETFL) | O_NONBLOCK);
  fcntl(e->master, F_SETFD, FD_CLOEXEC);
  fcntl(e->slave, F_SETFD, FD_CLOEXEC);
  return 0;
}

static void take_in(struct direction *d) {
  uint8_t tmp[4096];
  for (;;) {
    ssize_t n = read(d->from, tmp, sizeof tmp);
    if (n <= 0)
      return; /* EAGAIN, or EIO while nobody else holds the slave */
    for (ssize_t i = 0; i < n; i++) {
      if (d->len == LINE_BUFFER) {
        d->dropped++;
        continue;
      }
      d->buf[(d->head + d->len) % LINE_BUFFER] = tmp[i];
      d->len++;
    }
  }
}

/* Returns the ms until this direction can move another byte, or -1. */
static int give_out(struct direction *d, double bytes_per_ns, uint64_t *last,
                    uint64_t now) {
  if (bytes_per_ns > 0) {
    d->allowance += (double)(now - *last) * bytes_per_ns;
    if (d->allowance > UART_BURST)
      d->allowance = UART_BURST;
  }
  *last = now;
  while (d->len > 0) {
    size_t chunk = d->len;
    if (d->head + chunk > LINE_BUFFER)
      chunk = LINE_BUFFER - d->head;
    if (bytes_per_ns > 0) {
      if (d->allowance < 1.0)
        break;
      if (chunk > (size_t)d->allowance)
        chunk = (size_t)d->allowance;
    }
    ssize_t n = write(d->to, d->buf + d->head, chunk);
    if (n <= 0)
      return d->len ? 10 : -1; /* far end full: retry soon */
    d->head = (d->head + (size_t)n) % LINE_BUFFER;
    d->len -= (size_t)n;
    d->carried += (uint64_t)n;
    if (bytes_per_ns > 0)
      d->allowance -= (double)n;
  }
  if (d->len == 0)
    return -1;
  int ms = (int)((1.0 - d->allowance) / bytes_per_ns / 1e6) + 1;
  return ms < 1 ? 1 : ms;
}

/* Returns 0, or an exit status for main (0 after --help). */
static int parse_args(int argc, char **argv, unsigned long *baud,
                      int *verbose, int *done) {
  static const struct option opts[] = {{"baud", required_argument, 0, 'b'},
                                       {"verbose", no_argument, 0, 'v'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "b:vh", opts, NULL)) != -1) {
    switch (c) {
    case 'b': {
      char *end;
      errno = 0;
      *baud = strtoul(optarg, &end, 10);
      if (errno || *end || *baud < 300 || *baud > 4000000) {
        fprintf(stderr, "ringca-ptylink: --baud: not a baud rate: %s\n",
                optarg);
        return EXIT_USAGE;
      }
      break;
    }
    case 'v': *verbose = 1; break;
    case 'h': usage(stdout); *done = 1; return 0;
    default: usage(stderr); return EXIT_USAGE;
    }
  }
  if (argc - optind != 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  return 0;
}

int main(int argc, char **argv) {
  unsigned long baud = 0;
  int verbose = 0, done = 0;
  int rc = parse_args(argc, argv, &baud, &verbose, &done);
  if (rc || done)
    return rc;
  struct end ends[2] = {{.path = argv[optind]}, {.path = argv[optind + 1]}};
  for (int i = 0; i < 2; i++) {
    rc = open_end(&ends[i]);
    if (rc == 0)
      rc = publish(&ends[i]);
    if (rc) {
      fprintf(stderr, "ringca-ptylink: %s: %s\n", ends[i].path, strerror(-rc));
      if (i == 1)
        unlink(ends[0].path);
      return 1;
    }
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  static struct direction dirs[2];
  dirs[0].from = ends[0].master;
  dirs[0].to = ends[1].master;
  dirs[1].from = ends[1].master;
  dirs[1].to = ends[0].master;
  double bytes_per_ns = baud ? (double)baud / 10.0 / 1e9 : 0;
  uint64_t last[2] = {now_ns(), now_ns()};
  if (verbose)
    fprintf(stderr, "ringca-ptylink: %s=%s <-> %s=%s at %lu baud\n",
            ends[0].path, ends[0].slave_name, ends[1].path, ends[1].slave_name,
            baud);
  while (!stop_requested) {
    int timeout = 1000;
    uint64_t now = now_ns();
    for (int i = 0; i < 2; i++) {
      int ms = give_out(&dirs[i], bytes_per_ns, &last[i], now);
      if (ms >= 0 && ms < timeout)
        timeout = ms;
    }
    struct pollfd pf[2] = {{.fd = ends[0].master, .events = POLLIN},
                           {.fd = ends[1].master, .events = POLLIN}};
    int n = poll(pf, 2, timeout);
    if (n < 0 && errno != EINTR) {
      perror("ringca-ptylink: poll");
      break;
    }
    for (int i = 0; i < 2 && n > 0; i++)
      if (pf[i].revents & POLLIN)
        take_in(&dirs[i]);
  }
  unlink(ends[0].path);
  unlink(ends[1].path);
  if (verbose)
    fprintf(stderr,
            "ringca-ptylink: cut: %s->%s %llu bytes (%llu dropped), "
            "%s->%s %llu bytes (%llu dropped)\n",
            ends[0].path, ends[1].path, (unsigned long long)dirs[0].carried,
            (unsigned long long)dirs[0].dropped, ends[1].path, ends[0].path,
            (unsigned long long)dirs[1].carried,
            (unsigned long long)dirs[1].dropped);
  return stop_requested ? 0 : 1;
}
