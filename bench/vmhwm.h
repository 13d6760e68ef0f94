/* The peak resident size of this process, for the memory figures. */
#ifndef RINGCA_BENCH_VMHWM_H
#define RINGCA_BENCH_VMHWM_H
#include <stdio.h>

/* VmHWM from /proc/self/status in KiB, or 0 when it cannot be read. */
static inline unsigned long bench_vmhwm_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  unsigned long kb = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
      break;
  if (f)
    fclose(f);
  return kb;
}

#endif
