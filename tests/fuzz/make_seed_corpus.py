#!/usr/bin/env python3
"""Writes the seed corpora for the framing and wire fuzz targets.

Independent of our C code on purpose: protobuf messages come from Google's
`protoc --encode`, frames from the COBS/CRC-32C definitions written out here,
so the seeds also cross-check the C encoder. Re-run after schema changes:
    python3 tests/fuzz/make_seed_corpus.py
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def cobs(data):
    out, block = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out += bytes([len(block) + 1]) + block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out += b"\xff" + block
                block = bytearray()
    out += bytes([len(block) + 1]) + block
    return bytes(out)


def frame(payload):
    return b"\x00" + cobs(payload + crc32c(payload).to_bytes(4, "little")) + b"\x00"


def encode(msg_type, text):
    return subprocess.run(
        ["protoc", "--proto_path=" + os.path.join(ROOT, "proto"),
         "--encode=ringca." + msg_type, "ringca.proto"],
        input=text.encode(), capture_output=True, check=True).stdout


MESSAGES = {
    "link_hs_init": ("LinkFrame", 'version: 1 type: LINK_FRAME_HANDSHAKE_INIT session_id: 77 body: "' + "\\001" * 48 + '"'),
    "link_transport": ("LinkFrame", 'version: 1 type: LINK_FRAME_TRANSPORT session_id: 77 counter: 9 body: "sealed-bytes-and-tag-16"'),
    "link_bad_version": ("LinkFrame", "version: 9 type: LINK_FRAME_TRANSPORT"),
    "payload_data": ("LinkPayload", 'kind: LINK_PAYLOAD_DATA seq: 3 ack: 2 data: "x"'),
    "hs_payload": ("HandshakePayload", 'version: 1 node: "im1"'),
    "ring_token": ("RingMessage", 'version: 1 token { ring: "hub-im1" epoch: 3 seq: 4 active_order: "im1" active_order: "fe1" '
                   'envelopes { version: 1 request_id: "0123456789abcdef" origin: "fe1" destination: "root" '
                   'kind: ENVELOPE_CERT_REQUEST payload: "p" ttl: 5 deadline_unix_ms: 1 signature: "' + "s" * 64 + '" } }'),
    "ring_want": ("RingMessage", 'version: 1 want: "hub-im1"'),
    "ring_token_and_want": ("RingMessage", 'version: 1 want: "hub-im1" token { ring: "hub-im1" epoch: 3 seq: 4 '
                            'active_order: "im1" active_order: "fe1" }'),
    "cert_request": ("CertRequest", 'version: 1 profile: "server" csr_der: "0\\202" validity_days: 30'),
    "cert_reply": ("CertReply", 'version: 1 certificate_der: "0" chain_der: "1" chain_der: "2"'),
    "cert_refusal": ("CertRefusal", 'version: 1 reason: REFUSAL_SAN message: "SAN: bad"'),
}


def write(dirname, name, data):
    d = os.path.join(HERE, "corpus", dirname)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def write_capture(path):
    """A serial capture as a cable would carry it: a handshake, a token,
    a frame hit by a flipped bit, garbage from a cut, and a clean frame."""
    encoded = {k: encode(t, txt) for k, (t, txt) in MESSAGES.items()}
    noisy = bytearray(frame(encoded["link_transport"]))
    noisy[12] ^= 0x04
    stream = (frame(encoded["link_hs_init"]) + frame(encoded["link_transport"])
              + bytes(noisy) + b"\x13\x37\x42" + frame(encoded["link_transport"])[:20]
              + frame(encoded["link_transport"]))
    with open(path, "wb") as f:
        f.write(stream)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--capture":
        write_capture(sys.argv[2])
        return 0
    encoded = {k: encode(t, txt) for k, (t, txt) in MESSAGES.items()}
    for name, data in encoded.items():
        write("wire", name, data)
    # Bytes the prescan accepts but protobuf-c refuses, where the in-place
    # LinkFrame/LinkPayload views must refuse them too: a tag and a length
    # prefix padded past 5 bytes, a known field with another wire type, and
    # a version varint past 32 bits (protobuf-c keeps the low 32 bits).
    write("wire", "edge_long_tag", b"\x88\x80\x80\x80\x80\x00\x01")
    write("wire", "edge_long_length", b"\x08\x01\x2a\x81\x80\x80\x80\x80\x00\x41")
    write("wire", "edge_wrong_wire_type", b"\x08\x01\x10\x03\x1a\x00")
    write("wire", "edge_wide_version", b"\x08\x81\x80\x80\x80\x10\x10\x03")
    # Frame target: byte 0 picks max payload, byte 1 the chunk size.
    write("frame", "one_transport", b"\x10\x07" + frame(encoded["link_transport"]))
    write("frame", "stream_mixed", b"\x40\x00" + b"junk\x00" + frame(encoded["link_hs_init"])
          + frame(encoded["ring_token"]) + b"\x00\x00" + frame(b""))
    write("frame", "oversize", b"\x00\x20" + frame(bytes(range(1, 255)) * 3) + frame(b"ok"))
    write("frame", "bad_crc", b"\x08\x03" + frame(b"hello")[:-3] + b"\x01\x02\x00")
    # Node target: fe1 asks im1 for the hub token (honest), then im1 asks
    # fe1 (a member is never asked: fe1 trips), running the mesh between.
    want = encode("RingMessage", 'version: 1 want: "hub"')
    write("node", "want_then_misplaced_want",
          b"\x02\x40" + b"\x80" + len(want).to_bytes(2, "big") + want
          + b"\x02\x20" + b"\x00" + len(want).to_bytes(2, "big") + want + b"\x02\x40")
    write("frame", "cut_mid_frame", b"\x08\x01" + frame(encoded["link_transport"])[:9] + frame(b"after"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
