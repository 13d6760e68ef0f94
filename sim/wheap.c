#include "wheap.h"

#include <stdlib.h>

#include "ringca/error.h"

int wheap_init(struct wheap *h, size_t ids) {
  h->n = 0;
  h->ids = ids;
  h->key = malloc((ids + 1) * sizeof *h->key);
  h->heap = malloc((ids + 1) * sizeof *h->heap);
  h->pos = malloc((ids + 1) * sizeof *h->pos);
  if (!h->key || !h->heap || !h->pos) {
    wheap_free(h);
    return RC_ENOMEM;
  }
  for (size_t i = 0; i < ids; i++) {
    h->key[i] = UINT64_MAX;
    h->pos[i] = UINT32_MAX;
  }
  return 0;
}

void wheap_free(struct wheap *h) {
  free(h->key);
  free(h->heap);
  free(h->pos);
  h->key = NULL;
  h->heap = h->pos = NULL;
  h->n = h->ids = 0;
}

static int before(const struct wheap *h, uint32_t a, uint32_t b) {
  return h->key[a] < h->key[b] || (h->key[a] == h->key[b] && a < b);
}

static void place(struct wheap *h, size_t i, uint32_t id) {
  h->heap[i] = id;
  h->pos[id] = (uint32_t)i;
}

static void up(struct wheap *h, size_t i) {
  uint32_t id = h->heap[i];
  while (i > 0 && before(h, id, h->heap[(i - 1) / 2])) {
    place(h, i, h->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  place(h, i, id);
}

static void down(struct wheap *h, size_t i) {
  uint32_t id = h->heap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->n)
      break;
    if (c + 1 < h->n && before(h, h->heap[c + 1], h->heap[c]))
      c++;
    if (!before(h, h->heap[c], id))
      break;
    place(h, i, h->heap[c]);
    i = c;
  }
  place(h, i, id);
}

void wheap_set(struct wheap *h, uint32_t id, uint64_t key) {
  uint32_t p = h->pos[id];
  if (key == UINT64_MAX) {
    if (p == UINT32_MAX)
      return;
    h->key[id] = UINT64_MAX;
    h->pos[id] = UINT32_MAX;
    if (--h->n == p)
      return;
    uint32_t last = h->heap[h->n];
    place(h, p, last);
    if (p > 0 && before(h, last, h->heap[(p - 1) / 2]))
      up(h, p);
    else
      down(h, p);
    return;
  }
  if (p == UINT32_MAX) {
    h->key[id] = key;
    place(h, h->n++, id);
    up(h, h->n - 1);
    return;
  }
  uint64_t old = h->key[id];
  h->key[id] = key;
  if (key < old)
    up(h, p);
  else if (key > old)
    down(h, p);
}

uint64_t wheap_min(const struct wheap *h) {
  return h->n ? h->key[h->heap[0]] : UINT64_MAX;
}

int wheap_cmp_id(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

size_t wheap_due(const struct wheap *h, uint64_t t, uint32_t *out) {
  /* The heap's due entries form a subtree at its root: walk it with the
   * output as the stack, then sort. */
  size_t n = 0;
  if (h->n == 0 || h->key[h->heap[0]] > t)
    return 0;
  uint32_t *stack = out;  /* heap indexes first, replaced by ids below */
  stack[n++] = 0;
  for (size_t i = 0; i < n; i++) {
    size_t at = stack[i];
    for (size_t c = 2 * at + 1; c <= 2 * at + 2 && c < h->n; c++)
      if (h->key[h->heap[c]] <= t)
        stack[n++] = (uint32_t)c;
  }
  for (size_t i = 0; i < n; i++)
    out[i] = h->heap[stack[i]];
  qsort(out, n, sizeof *out, wheap_cmp_id);
  return n;
}
