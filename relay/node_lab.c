/* Lab-only fault injection (libringca_lab, built with RINGCA_LAB): lets a
 * "compromised" node's core emit any RingMessage over its real, keyed link.
 * Never linked into production binaries. */
#include "node_internal.h"
#include "ringca/error.h"

int rc_node_inject_ring_message(struct rc_node *n, uint32_t link,
                                const uint8_t *msg, size_t len,
                                uint64_t now_ns) {
  if (n->tripped)
    return RC_ETRIPPED;
  for (size_t i = 0; i < n->nlinks; i++)
    if ((uint32_t)n->links[i].topo_link == link) {
      int rc = rc_link_send(n->links[i].link, msg, len, now_ns);
      rc__node_refresh_deadline(n);
      return rc;
    }
  return RC_EINVAL;
}
