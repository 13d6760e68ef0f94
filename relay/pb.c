#include "ringca/pb.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ringca/error.h"
#include "ringca/limits.h"

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_FIXED32 = 5 };

static int read_varint(const uint8_t *buf, size_t len, size_t *pos,
                       uint64_t *out) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (*pos >= len)
      return RC_EMALFORMED;
    uint8_t b = buf[(*pos)++];
    v |= (uint64_t)(b & 0x7Fu) << shift;
    if (!(b & 0x80u)) {
      *out = v;
      return 0;
    }
  }
  return RC_EMALFORMED;
}

/* The one walk behind rc_pb_prescan and rc_pb_view: the limits, and with a
 * view, each viewed field's last value. *unpackable turns false on what the
 * walk accepts but protobuf-c's unpack refuses: a tag or a length prefix in
 * more than 5 bytes, a viewed field number with another wire type. */
static int walk(const struct rc_pb_limits *lim, const uint8_t *buf,
                size_t len, struct rc_pb_view_field *view, size_t nview,
                struct rc_pb_view_stats *stats, uint32_t *bad_field,
                bool *unpackable) {
  uint32_t counts[16] = {0};
  size_t pos = 0, fields = 0;
  struct rc_pb_view_stats st = {0, 0, 0};
  assert(lim->nfields <= sizeof counts / sizeof counts[0]);
  if (bad_field)
    *bad_field = 0;
  if (stats)
    *stats = st;
  *unpackable = true;
  for (size_t i = 0; i < nview; i++) {
    view[i].present = false;
    view[i].u = 0;
    view[i].data = NULL;
    view[i].len = 0;
    view[i].n = 0;
  }
  if (len > lim->max_bytes)
    return RC_ETOOBIG;
  while (pos < len) {
    uint64_t key, v;
    size_t key_at = pos;
    if (read_varint(buf, len, &pos, &key) != 0)
      return RC_EMALFORMED;
    if (pos - key_at > 5)
      *unpackable = false;
    uint64_t number = key >> 3;
    if (number == 0 || number > 536870911u)
      return RC_EMALFORMED;
    if (++fields > RC_PB_MAX_FIELDS) {
      if (bad_field)
        *bad_field = (uint32_t)number;
      return RC_ELIMIT;
    }
    unsigned wire = (unsigned)(key & 7u);
    const uint8_t *at = NULL;
    size_t value_at = pos;
    switch (wire) {
    case WIRE_VARINT:
      if (read_varint(buf, len, &pos, &v) != 0)
        return RC_EMALFORMED;
      break;
    case WIRE_FIXED64:
    case WIRE_FIXED32: {
      size_t width = wire == WIRE_FIXED64 ? 8 : 4;
      if (len - pos < width)
        return RC_EMALFORMED;
      v = 0;
      for (size_t b = 0; b < width; b++)
        v |= (uint64_t)buf[pos + b] << (8 * b);
      pos += width;
      break;
    }
    case WIRE_LEN: {
      size_t len_at = pos;
      if (read_varint(buf, len, &pos, &v) != 0 || v > len - pos)
        return RC_EMALFORMED;
      if (pos - len_at > 5)
        *unpackable = false;
      at = buf + pos;
      pos += (size_t)v;
      break;
    }
    default: /* groups (3, 4) are not used by proto3; 6, 7 do not exist */
      if (bad_field)
        *bad_field = (uint32_t)number;
      return RC_EMALFORMED;
    }
    for (size_t i = 0; i < lim->nfields; i++) {
      if (lim->fields[i].field_number != number)
        continue;
      if (++counts[i] > lim->fields[i].max_count) {
        if (bad_field)
          *bad_field = (uint32_t)number;
        return RC_ELIMIT;
      }
    }
    st.fields++;
    if (number > nview) {
      st.unknown++;
      st.unknown_bytes += pos - value_at;
      continue;
    }
    struct rc_pb_view_field *f = &view[number - 1];
    if (f->wire != wire) {
      *unpackable = false;
      continue;
    }
    f->present = true;
    f->u = wire == WIRE_LEN ? 0 : v;
    f->data = at;
    f->len = wire == WIRE_LEN ? (size_t)v : 0;
    if (f->items) {
      /* The count cap above keeps n within max_items (see pb.h); the
       * check only stops a caller's mistake from writing past the array. */
      if (f->n == f->max_items) {
        *unpackable = false;
        continue;
      }
      f->items[f->n].data = at;
      f->items[f->n].len = f->len;
      f->n++;
    }
  }
  if (stats)
    *stats = st;
  return 0;
}

int rc_pb_prescan(const struct rc_pb_limits *lim, const uint8_t *buf,
                  size_t len, uint32_t *bad_field) {
  bool unpackable;
  return walk(lim, buf, len, NULL, 0, NULL, bad_field, &unpackable);
}

int rc_pb_view(const struct rc_pb_limits *lim, const uint8_t *buf, size_t len,
               struct rc_pb_view_field *view, size_t nview,
               uint32_t *bad_field, bool *unpackable) {
  return walk(lim, buf, len, view, nview, NULL, bad_field, unpackable);
}

int rc_pb_view_stats(const struct rc_pb_limits *lim, const uint8_t *buf,
                     size_t len, struct rc_pb_view_field *view, size_t nview,
                     struct rc_pb_view_stats *stats, uint32_t *bad_field,
                     bool *unpackable) {
  return walk(lim, buf, len, view, nview, stats, bad_field, unpackable);
}

int rc_pb_find_len_field(const uint8_t *buf, size_t len, uint32_t number,
                         const uint8_t **sub, size_t *sublen) {
  size_t pos = 0;
  *sub = NULL;
  *sublen = 0;
  while (pos < len) {
    uint64_t key, v;
    if (read_varint(buf, len, &pos, &key) != 0)
      return RC_EMALFORMED;
    switch (key & 7u) {
    case WIRE_VARINT:
      if (read_varint(buf, len, &pos, &v) != 0)
        return RC_EMALFORMED;
      break;
    case WIRE_FIXED64:
    case WIRE_FIXED32: {
      size_t width = (key & 7u) == WIRE_FIXED64 ? 8 : 4;
      if (len - pos < width)
        return RC_EMALFORMED;
      pos += width;
      break;
    }
    case WIRE_LEN:
      if (read_varint(buf, len, &pos, &v) != 0 || v > len - pos)
        return RC_EMALFORMED;
      if ((key >> 3) == number) {
        *sub = buf + pos;
        *sublen = (size_t)v;
      }
      pos += (size_t)v;
      break;
    default:
      return RC_EMALFORMED;
    }
  }
  return 0;
}

/* Allocation budget: a hostile message that passes the prescan still cannot
 * make protobuf-c allocate more than a small multiple of its own size. Blocks
 * come from malloc, so rc_pb_free can use the default allocator. */
static void *budget_alloc(void *data, size_t size) {
  struct rc_pb_budget *b = data;
  if (size > b->left)
    return NULL;
  b->left -= size;
  return malloc(size);
}

static void budget_free(void *data, void *ptr) {
  (void)data;
  free(ptr);
}

static size_t default_budget(const struct rc_pb_limits *lim) {
  return lim->max_alloc ? lim->max_alloc : 8u * lim->max_bytes + 4096u;
}

void rc_pb_budget_init(struct rc_pb_budget *b,
                       const struct rc_pb_limits *lim) {
  b->left = default_budget(lim);
}

bool rc_pb_budget_take(struct rc_pb_budget *b, size_t size) {
  if (size > b->left)
    return false;
  b->left -= size;
  return true;
}

/* Mirrors protobuf-c 1.4's protobuf_c_message_unpack (protobuf-c.c): it
 * allocates the message struct; keeps the first 16 scanned members on the
 * stack and allocates each further slab twice the size of the last (its
 * ScannedMember is 32 bytes on LP64: tag, wire type, prefix length, field
 * pointer, length, data pointer); allocates one array of
 * ProtobufCMessageUnknownField for the unknown fields and a copy of each
 * one's value. The slabs are freed at the end, but the budget allocator
 * never gives bytes back. tests/fuzz/wire.c and tests/proto hold decoders
 * built on this to protobuf-c's own answer. */
#define SCANNED_MEMBER_SIZE (4u + 1u + 1u + 2u + 3u * sizeof(void *))
size_t rc_pb_level_cost(size_t sizeof_message,
                        const struct rc_pb_view_stats *stats) {
  size_t cost = sizeof_message, room = 16;
  for (size_t slab = 16; stats->fields > room; room += slab) {
    slab *= 2;
    cost += SCANNED_MEMBER_SIZE * slab;
  }
  if (stats->unknown)
    cost += stats->unknown * sizeof(ProtobufCMessageUnknownField) +
            stats->unknown_bytes;
  return cost;
}

int rc_pb_unpack_budget(const ProtobufCMessageDescriptor *desc,
                        struct rc_pb_budget *b, const uint8_t *buf,
                        size_t len, ProtobufCMessage **out) {
  ProtobufCAllocator alloc = {budget_alloc, budget_free, b};
  *out = protobuf_c_message_unpack(desc, &alloc, len, buf);
  return *out ? 0 : RC_EMALFORMED;
}

int rc_pb_unpack(const ProtobufCMessageDescriptor *desc,
                 const struct rc_pb_limits *lim, const uint8_t *buf,
                 size_t len, ProtobufCMessage **out) {
  *out = NULL;
  int rc = rc_pb_prescan(lim, buf, len, NULL);
  return rc ? rc : rc_pb_unpack_scanned(desc, lim, buf, len, out);
}

int rc_pb_unpack_scanned(const ProtobufCMessageDescriptor *desc,
                         const struct rc_pb_limits *lim, const uint8_t *buf,
                         size_t len, ProtobufCMessage **out) {
  *out = NULL;
  if (len > lim->max_bytes) /* cheap, and keeps the budget meaningful */
    return RC_ETOOBIG;
  struct rc_pb_budget b = {default_budget(lim)};
  ProtobufCAllocator alloc = {budget_alloc, budget_free, &b};
  ProtobufCMessage *msg = protobuf_c_message_unpack(desc, &alloc, len, buf);
  if (!msg)
    return RC_EMALFORMED;
  *out = msg;
  return 0;
}

void rc_pb_free(ProtobufCMessage *msg) {
  if (msg)
    protobuf_c_message_free_unpacked(msg, NULL);
}

int rc_pb_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len) {
  size_t n = protobuf_c_message_get_packed_size(msg);
  uint8_t *buf = malloc(n ? n : 1);
  if (!buf)
    return RC_ENOMEM;
  *out_len = protobuf_c_message_pack(msg, buf);
  *out = buf;
  return 0;
}
