/* Spool files are written by another user than the signer: both decoders
 * on hostile bytes. */
#include <stddef.h>
#include <stdint.h>

#include "ringca/pb.h"
#include "ringca/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Ringca__SpoolRequest *req;
  Ringca__SpoolReply *rep;
  struct rc_wire_error err;
  if (rc_spool_decode_request(data, size, &req, &err) == 0)
    rc_pb_free(&req->base);
  if (rc_spool_decode_reply(data, size, &rep, &err) == 0)
    rc_pb_free(&rep->base);
  return 0;
}
