/* Getting the CA passphrase from a person: a terminal with echo off, or
 * systemd-ask-password when the signer runs as a service; a file only for
 * tests and labs. */
#include "ringca/signer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

#define PASSPHRASE_FILE_MAX 4096u

static int strip_line(char *buf) {
  buf[strcspn(buf, "\r\n")] = 0;
  return buf[0] ? 0 : RC_EINVAL;
}

static int from_file(const char *file, char *buf, size_t cap) {
  uint8_t *data;
  size_t len;
  int e = rc_file_read_secret(file, PASSPHRASE_FILE_MAX, &data, &len);
  if (e)
    return e == -EPERM ? RC_EPERM : RC_EIO;
  size_t n = strcspn((const char *)data, "\r\n");
  int rc = n < cap ? 0 : RC_ETOOBIG;
  if (rc == 0) {
    memcpy(buf, data, n);
    buf[n] = 0;
    rc = strip_line(buf);
  }
  OPENSSL_cleanse(data, len);
  free(data);
  return rc;
}

static int from_tty(const char *prompt, char *buf, size_t cap) {
  int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return RC_EIO;
  struct termios old, quiet;
  int rc = RC_EIO;
  if (tcgetattr(fd, &old) == 0) {
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    if (write(fd, prompt, strlen(prompt)) >= 0 &&
        tcsetattr(fd, TCSAFLUSH, &quiet) == 0) {
      size_t n = 0;
      char c;
      ssize_t r;
      while ((r = read(fd, &c, 1)) == 1 && c != '\n' && n + 1 < cap)
        buf[n++] = c;
      buf[n] = 0;
      c = 0;
      tcsetattr(fd, TCSAFLUSH, &old);
      (void)!write(fd, "\n", 1);
      rc = r < 0 ? RC_EIO : strip_line(buf);
    }
  }
  close(fd);
  return rc;
}

static int from_systemd(const char *prompt, char *buf, size_t cap) {
  int pfd[2];
  if (pipe(pfd) != 0)
    return RC_EIO;
  pid_t pid = fork();
  if (pid < 0) {
    close(pfd[0]);
    close(pfd[1]);
    return RC_EIO;
  }
  if (pid == 0) {
    dup2(pfd[1], STDOUT_FILENO);
    close(pfd[0]);
    close(pfd[1]);
    execlp("systemd-ask-password", "systemd-ask-password", "--timeout=0",
           prompt, (char *)NULL);
    _exit(127);
  }
  close(pfd[1]);
  size_t n = 0;
  ssize_t r;
  while (n + 1 < cap && (r = read(pfd[0], buf + n, cap - 1 - n)) != 0) {
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    n += (size_t)r;
  }
  buf[n] = 0;
  close(pfd[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    OPENSSL_cleanse(buf, cap);
    return RC_EIO;
  }
  return strip_line(buf);
}

int rc_passphrase_read(const char *file, const char *prompt, char *buf,
                       size_t cap) {
  if (cap < 2)
    return RC_EINVAL;
  buf[0] = 0;
  if (file)
    return from_file(file, buf, cap);
  if (isatty(STDIN_FILENO))
    return from_tty(prompt, buf, cap);
  return from_systemd(prompt, buf, cap);
}
