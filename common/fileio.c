#include "ringca/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int dirname_of(const char *path, char *out, size_t cap) {
  size_t n = strlen(path);
  if (n + 1 > cap)
    return -ENAMETOOLONG;
  memcpy(out, path, n + 1);
  char *d = dirname(out);
  if (d != out)
    memmove(out, d, strlen(d) + 1);
  return 0;
}

int rc_dir_sync(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  int rc = fsync(fd) == 0 ? 0 : -errno;
  close(fd);
  return rc;
}

static int write_all(int fd, const uint8_t *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int rc_file_write_atomic(const char *path, const void *data, size_t len,
                         mode_t mode) {
  char dir[PATH_MAX], tmp[PATH_MAX];
  int rc = dirname_of(path, dir, sizeof dir);
  if (rc)
    return rc;
  /* rename() would silently replace whatever is there. Only ever replace a
   * regular file: run as root, "--out /dev/null" must not turn the device
   * into a file, and a symlink planted in a spool must not be swapped. */
  struct stat st;
  if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return -EEXIST;
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp)
    return -ENAMETOOLONG;
  int fd = mkstemp(tmp);
  if (fd < 0)
    return -errno;
  /* mkstemp creates 0600; widen or keep, never rely on the umask. */
  if (fchmod(fd, mode) != 0 || (rc = write_all(fd, data, len)) != 0 ||
      fsync(fd) != 0) {
    rc = rc ? rc : -errno;
    close(fd);
    unlink(tmp);
    return rc;
  }
  if (close(fd) != 0 || rename(tmp, path) != 0) {
    rc = -errno;
    unlink(tmp);
    return rc;
  }
  return rc_dir_sync(dir);
}

static int read_fd(int fd, size_t max, uint8_t **out, size_t *len) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return -errno;
  if (!S_ISREG(st.st_mode))
    return -EINVAL;
  if ((uintmax_t)st.st_size > max)
    return -EFBIG;
  size_t cap = (size_t)st.st_size, used = 0;
  uint8_t *buf = malloc(cap + 1);
  if (!buf)
    return -ENOMEM;
  for (;;) {
    ssize_t n = read(fd, buf + used, cap - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = -errno;
      free(buf);
      return e;
    }
    if (n == 0)
      break;
    used += (size_t)n;
    if (used == cap)
      break;
  }
  buf[used] = 0;
  *out = buf;
  *len = used;
  return 0;
}

int rc_file_read(const char *path, size_t max, uint8_t **out, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return -errno;
  int rc = read_fd(fd, max, out, len);
  close(fd);
  return rc;
}

int rc_file_read_secret(const char *path, size_t max, uint8_t **out,
                        size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
  if (fd < 0)
    return -errno;
  struct stat st;
  int rc;
  if (fstat(fd, &st) != 0)
    rc = -errno;
  else if (st.st_mode & (S_IRWXG | S_IRWXO))
    rc = -EPERM;
  else
    rc = read_fd(fd, max, out, len);
  close(fd);
  return rc;
}

int rc_mkdir_p(const char *path, mode_t mode) {
  char buf[PATH_MAX];
  size_t n = strlen(path);
  if (n == 0 || n + 1 > sizeof buf)
    return -ENAMETOOLONG;
  memcpy(buf, path, n + 1);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = 0;
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
      return -errno;
    *p = '/';
  }
  if (mkdir(buf, mode) == 0) {
    /* The mode asked for, not the umask's share of it: the spool's 0770
     * directories are shared by two users, and the units run with UMask
     * 0027 and 0077 (a signer-made incoming/ was 0750, so the node could
     * not hand it requests). The setgid bit inherited from a shared
     * parent stays: it is what gives new files the shared group. An
     * existing directory keeps its mode. */
    struct stat st;
    if (stat(buf, &st) != 0 || chmod(buf, mode | (st.st_mode & S_ISGID)) != 0)
      return -errno;
    return 0;
  }
  return errno == EEXIST ? 0 : -errno;
}
