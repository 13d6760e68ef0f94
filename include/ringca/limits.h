/* Every named limit of the wire protocol, in one place (like WireGuard's
 * messages.h): no magic numbers elsewhere. Topology values may lower the
 * defaults; nothing may raise a value past its _LIMIT. */
#ifndef RINGCA_LIMITS_H
#define RINGCA_LIMITS_H

/* The only wire version this build speaks; a peer sending another is refused. */
#define RC_WIRE_VERSION 1u

/* Largest frame payload (a LinkFrame before COBS and CRC). A stop-and-wait
 * link spends one ACK per frame, so goodput grows with frame size; 4 KiB keeps
 * a 115200-baud link above 0.95 of line rate (docs/protocol.md). */
#define RC_FRAME_PAYLOAD_DEFAULT 4096u
#define RC_FRAME_PAYLOAD_MIN 256u
#define RC_FRAME_PAYLOAD_LIMIT 65536u

/* CRC-32C trailer appended to each payload before COBS encoding. */
#define RC_FRAME_CRC_LEN 4u

/* Protobuf decoding: a message never holds more than this many fields, and
 * repeated fields have their own per-message caps. */
#define RC_PB_MAX_FIELDS 4096u
#define RC_TOKEN_MAX_ENVELOPES 256u
#define RC_TOKEN_MAX_ORDER 128u
#define RC_REPLY_MAX_CHAIN 8u
#define RC_NAME_MAX 64u
#define RC_REQUEST_ID_LEN 16u
#define RC_SIGNATURE_LEN 64u

#endif
