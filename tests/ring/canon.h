/* The canonical mesh for tests: root; im1, im2; fe1..fe4 on a hub ring of
 * each intermediate; each intermediate on a loop ring with the root (root
 * is that ring's master). Node indexes: root 0, im1 1, im2 2, fe1..fe4 3..6.
 * Ring indexes: hub1 0, hub2 1, root1 2, root2 3. */
#ifndef RINGCA_TEST_CANON_H
#define RINGCA_TEST_CANON_H
#include <stdio.h>

#include "ringca/topology.h"

static inline int canon_build(struct rc_topology *t) {
  static const char *const names[] = {"root", "im1", "im2", "fe1",
                                      "fe2",  "fe3", "fe4"};
  static const enum rc_role roles[] = {
      RC_ROLE_ROOT,     RC_ROLE_INTERMEDIATE, RC_ROLE_INTERMEDIATE,
      RC_ROLE_FRONTEND, RC_ROLE_FRONTEND,     RC_ROLE_FRONTEND,
      RC_ROLE_FRONTEND};
  rc_topology_init(t);
  for (uint32_t i = 0; i < 7; i++) {
    if (rc_topology_add_node(t, names[i], roles[i]) != (int)i)
      return -1;
    for (int p = 0; p < 6; p++) {
      char port[16], dev[32];
      snprintf(port, sizeof port, "s%d", p);
      snprintf(dev, sizeof dev, "/dev/ttyS%d", p);
      if (rc_topology_add_port(t, i, port, dev, 115200) < 0)
        return -1;
    }
  }
  /* Cables: imN port s0..s3 to fe1..fe4; fe port s0 to im1, s1 to im2;
   * root s0 to im1 s4, root s1 to im2 s4. */
  static const char *const fes[] = {"fe1", "fe2", "fe3", "fe4"};
  for (int i = 0; i < 4; i++) {
    char p[8];
    snprintf(p, sizeof p, "s%d", i);
    if (rc_topology_add_link(t, "im1", p, fes[i], "s0") < 0 ||
        rc_topology_add_link(t, "im2", p, fes[i], "s1") < 0)
      return -1;
  }
  if (rc_topology_add_link(t, "root", "s0", "im1", "s4") < 0 ||
      rc_topology_add_link(t, "root", "s1", "im2", "s4") < 0)
    return -1;
  if (rc_topology_add_hub_ring(t, "hub1", "im1", fes, 4) != 0 ||
      rc_topology_add_hub_ring(t, "hub2", "im2", fes, 4) != 1)
    return -1;
  static const char *const r1[] = {"root", "im1"}, *const r2[] = {"root", "im2"};
  if (rc_topology_add_ring(t, "root1", r1, 2, false) != 2 ||
      rc_topology_add_ring(t, "root2", r2, 2, false) != 3)
    return -1;
  return (int)rc_topology_validate(t, NULL, NULL);
}

#endif
