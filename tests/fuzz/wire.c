/* Fuzz target: every bounded wire decoder on the same hostile bytes. */
#include <stdint.h>

#include "ringca/pb.h"
#include "ringca/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TRY(call, var)                                                         \
  do {                                                                         \
    if ((call) == 0)                                                           \
      rc_pb_free(&(var)->base);                                                \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Ringca__LinkFrame *lf;
  Ringca__LinkPayload *lp;
  Ringca__HandshakePayload *hp;
  Ringca__RingMessage *rm;
  Ringca__CertRequest *rq;
  Ringca__CertReply *rp;
  Ringca__CertRefusal *rf;
  TRY(rc_wire_decode_link_frame(data, size, &lf, NULL), lf);
  TRY(rc_wire_decode_link_payload(data, size, 8192, &lp, NULL), lp);
  TRY(rc_wire_decode_handshake_payload(data, size, &hp, NULL), hp);
  TRY(rc_wire_decode_ring_message(data, size, 8192, &rm, NULL), rm);
  TRY(rc_wire_decode_cert_request(data, size, &rq, NULL), rq);
  TRY(rc_wire_decode_cert_reply(data, size, &rp, NULL), rp);
  TRY(rc_wire_decode_cert_refusal(data, size, &rf, NULL), rf);
  return 0;
}
