/* Runs every file of a fuzz corpus directory through the fuzz target once,
 * so ordinary builds (and the ASan build) replay the corpora in ctest. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  DIR *d = opendir(argv[1]);
  if (!d) {
    perror(argv[1]);
    return 2;
  }
  size_t count = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
    uint8_t *buf;
    size_t len;
    if (rc_file_read(path, 1u << 24, &buf, &len) != 0) {
      fprintf(stderr, "%s: cannot read\n", path);
      closedir(d);
      return 1;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    count++;
  }
  closedir(d);
  if (count == 0) {
    fprintf(stderr, "%s: empty corpus\n", argv[1]);
    return 1;
  }
  printf("replayed %zu inputs from %s\n", count, argv[1]);
  return 0;
}
