/* File helpers for everything that must survive a crash or hold a secret.
 * Runtime only: the relay core never touches files. */
#ifndef RINGCA_FILEIO_H
#define RINGCA_FILEIO_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes data to path so that a crash at any instant leaves either the old
 * file or the complete new one: temp file in the same directory created with
 * `mode`, write, fsync, rename, fsync the directory. Returns 0 or -errno
 * (-EEXIST when path exists but is not a regular file: a device, directory
 * or symlink is never replaced); on failure nothing is left behind. */
int rc_file_write_atomic(const char *path, const void *data, size_t len,
                         mode_t mode);

/* Reads a whole regular file of at most max bytes into a malloc'd buffer
 * (NUL-terminated for convenience, not counted in *len). Returns 0, -EFBIG
 * when larger than max, or another -errno. */
int rc_file_read(const char *path, size_t max, uint8_t **out, size_t *len);

/* Like rc_file_read for secrets: refuses a file readable or writable by
 * group or others (-EPERM) and the caller must OPENSSL_cleanse the buffer. */
int rc_file_read_secret(const char *path, size_t max, uint8_t **out,
                        size_t *len);

/* fsync a directory so a rename inside it is durable. Returns 0 or -errno. */
int rc_dir_sync(const char *dir);

/* mkdir -p with mode for the last component, exactly (the umask does not
 * narrow it) when this call creates it. Returns 0 or -errno. */
int rc_mkdir_p(const char *path, mode_t mode);

#endif
