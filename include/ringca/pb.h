/* Bounded protobuf decoding for hostile input.
 *
 * protobuf-c allocates as it parses, sized by what the input claims. Before
 * handing bytes to it we walk the wire format once (no allocation) and check
 * the total size, the number of fields and each repeated field's count
 * against the caller's limits; the unpack itself then runs under an allocator
 * with a byte budget. Malformed input is an error, never a crash. */
#ifndef RINGCA_PB_H
#define RINGCA_PB_H
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

/* Finds the last occurrence of length-delimited field `number` in an encoded
 * message (a nested message, to apply its own limits before unpacking).
 * *sub is NULL when absent. Returns 0 or RC_EMALFORMED. */
int rc_pb_find_len_field(const uint8_t *buf, size_t len, uint32_t number,
                         const uint8_t **sub, size_t *sublen);

void rc_pb_free(ProtobufCMessage *msg);

/* Packs into a fresh malloc'd buffer. Returns 0 or RC_ENOMEM. */
int rc_pb_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len);

#endif
