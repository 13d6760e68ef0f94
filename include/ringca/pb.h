/* Bounded protobuf decoding for hostile input.
 *
 * protobuf-c allocates as it parses, sized by what the input claims. Before
 * handing bytes to it we walk the wire format once (no allocation) and check
 * the total size, the number of fields and each repeated field's count
 * against the caller's limits; the unpack itself then runs under an allocator
 * with a byte budget. Malformed input is an error, never a crash. */
#ifndef RINGCA_PB_H
#define RINGCA_PB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

struct rc_pb_field_limit {
  uint32_t field_number;
  uint32_t max_count;
};

struct rc_pb_limits {
  size_t max_bytes;                       /* whole encoded message */
  const struct rc_pb_field_limit *fields; /* per top-level field caps */
  size_t nfields;
  size_t max_alloc;                       /* 0: 8 x max_bytes + 4 KiB */
};

/* Walks the wire format without allocating. Returns 0, RC_ETOOBIG,
 * RC_ELIMIT (a count cap) or RC_EMALFORMED. On error, if bad_field is not
 * NULL it receives the offending field number (0 when unknown). */
int rc_pb_prescan(const struct rc_pb_limits *lim, const uint8_t *buf,
                  size_t len, uint32_t *bad_field);

/* rc_pb_prescan, then protobuf_c_message_unpack under the allocation budget.
 * Returns 0 and *out, or a negative RC_E*. Free with rc_pb_free. */
int rc_pb_unpack(const ProtobufCMessageDescriptor *desc,
                 const struct rc_pb_limits *lim, const uint8_t *buf,
                 size_t len, ProtobufCMessage **out);

/* rc_pb_unpack without its prescan, for a caller that has just run
 * rc_pb_prescan (or rc_pb_view) with the same limits on the same bytes and
 * got 0: one walk of hostile bytes instead of two. The allocation budget
 * still applies. */
int rc_pb_unpack_scanned(const ProtobufCMessageDescriptor *desc,
                         const struct rc_pb_limits *lim, const uint8_t *buf,
                         size_t len, ProtobufCMessage **out);

/* Bytes inside the input buffer. */
struct rc_pb_span {
  const uint8_t *data;
  size_t len;
};

/* A field read in place by rc_pb_view: no allocation, no copy. */
struct rc_pb_view_field {
  uint8_t wire;         /* in: the field's ProtobufCWireType in the schema */
  bool present;         /* out: seen with that wire type */
  uint64_t u;           /* out: varint (as decoded) or fixed32/64 value */
  const uint8_t *data;  /* out: length-delimited: into the input buffer */
  size_t len;
  /* A repeated length-delimited field: every occurrence, in wire order, into
   * items[0..n-1]. max_items must be at least the field's count cap in the
   * limits, so that nothing the walk accepts is left out. */
  struct rc_pb_span *items;
  size_t max_items;
  size_t n;
};

/* What protobuf-c's unpack of one message level will allocate beyond its
 * known fields: rc_pb_view_stats counts it in the same walk. A caller that
 * views every field of the schema (nview = highest field number) gets
 * protobuf-c's unknown fields as the fields numbered above nview. */
struct rc_pb_view_stats {
  size_t fields;         /* every field occurrence */
  size_t unknown;        /* occurrences numbered above nview */
  size_t unknown_bytes;  /* their values as protobuf-c copies them (after
                            the tag, length prefix included) */
};

/* rc_pb_prescan (same walk, same return values and *bad_field) that also
 * reads fields 1..nview in place into view[0..nview-1], last occurrence
 * winning as in protobuf. *unpackable is false when protobuf-c would refuse
 * bytes the prescan accepts (a tag or length prefix longer than 5 bytes, a
 * viewed field with another wire type): a decoder built on the view must
 * refuse them too, so that both decoders accept exactly the same input. */
int rc_pb_view(const struct rc_pb_limits *lim, const uint8_t *buf, size_t len,
               struct rc_pb_view_field *view, size_t nview,
               uint32_t *bad_field, bool *unpackable);

/* rc_pb_view that also fills *stats (may be NULL). */
int rc_pb_view_stats(const struct rc_pb_limits *lim, const uint8_t *buf,
                     size_t len, struct rc_pb_view_field *view, size_t nview,
                     struct rc_pb_view_stats *stats, uint32_t *bad_field,
                     bool *unpackable);

/* The allocation budget of rc_pb_unpack, shared across several unpacks and
 * the caller's own accounting: a decoder that reads part of a message in
 * place and unpacks the rest charges the budget exactly what protobuf-c
 * would have allocated for the whole, so that it refuses the same input. */
struct rc_pb_budget {
  size_t left;
};
void rc_pb_budget_init(struct rc_pb_budget *b, const struct rc_pb_limits *lim);
/* Takes `size` bytes; false (and nothing taken) when they are not left. */
bool rc_pb_budget_take(struct rc_pb_budget *b, size_t size);
/* What protobuf-c 1.4's protobuf_c_message_unpack allocates for one message
 * level besides its strings, bytes, repeated arrays and sub-messages: the
 * struct, the scanned-member slabs past the first 16 fields, the unknown
 * fields' array and their copies. */
size_t rc_pb_level_cost(size_t sizeof_message,
                        const struct rc_pb_view_stats *stats);
/* protobuf_c_message_unpack under the shared budget (no prescan: the caller
 * has walked these bytes). Returns 0 and *out, or RC_EMALFORMED. */
int rc_pb_unpack_budget(const ProtobufCMessageDescriptor *desc,
                        struct rc_pb_budget *b, const uint8_t *buf,
                        size_t len, ProtobufCMessage **out);

/* Finds the last occurrence of length-delimited field `number` in an encoded
 * message (a nested message, to apply its own limits before unpacking).
 * *sub is NULL when absent. Returns 0 or RC_EMALFORMED. */
int rc_pb_find_len_field(const uint8_t *buf, size_t len, uint32_t number,
                         const uint8_t **sub, size_t *sublen);

void rc_pb_free(ProtobufCMessage *msg);

/* Packs into a fresh malloc'd buffer. Returns 0 or RC_ENOMEM. */
int rc_pb_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len);

#endif
