/* Control-socket requests as the node receives them: framed bytes from any
 * local client. Framing, then bounded decoding; never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>

#include "ringca/ctl.h"
#include "ringca/pb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t off = 0, len = 0;
  while (rc_ctl_frame_parse(data, size, RC_CTL_REQUEST_MAX, &off, &len) == 1) {
    Ringca__CtlRequest *req = NULL;
    struct rc_wire_error err;
    if (rc_ctl_decode_request(data + off, len, &req, &err) == 0)
      rc_pb_free(&req->base);
    Ringca__CtlResponse *resp = NULL;
    if (rc_ctl_decode_response(data + off, len, &resp, &err) == 0)
      rc_pb_free(&resp->base);
    data += off + len;
    size -= off + len;
  }
  return 0;
}
