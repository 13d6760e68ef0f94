/* An indexed min-heap of times: one entry per id (a node, a cable end),
 * whose key the world moves as that id's next event moves. It lets the
 * world find the next instant, and what is due at it, without scanning
 * every node and cable at every event, which made a run's cost grow with
 * the square of the mesh. */
#ifndef RINGCA_SIM_WHEAP_H
#define RINGCA_SIM_WHEAP_H
#include <stddef.h>
#include <stdint.h>

struct wheap {
  uint64_t *key;   /* by id; UINT64_MAX: not in the heap */
  uint32_t *heap;  /* ids, a binary min-heap on (key, id) */
  uint32_t *pos;   /* by id: index in heap, or UINT32_MAX */
  size_t n, ids;
};

/* 0 or RC_ENOMEM. Every id starts absent. */
int wheap_init(struct wheap *h, size_t ids);
void wheap_free(struct wheap *h);
/* Sets id's time; UINT64_MAX takes it out. */
void wheap_set(struct wheap *h, uint32_t id, uint64_t key);
/* The earliest time, or UINT64_MAX when empty. */
uint64_t wheap_min(const struct wheap *h);
/* Writes the ids whose time is at or before t to out (room for h->ids),
 * in ascending id order, so the world serves them in topology order as it
 * always has; returns how many. Nothing is removed. */
size_t wheap_due(const struct wheap *h, uint64_t t, uint32_t *out);
/* qsort comparator for ids, for callers that reorder a due set. */
int wheap_cmp_id(const void *a, const void *b);

#endif
