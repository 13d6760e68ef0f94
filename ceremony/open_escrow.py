#!/usr/bin/env python3
"""Opens a ringca-ceremony escrow.enc without ringca, for the day ringca is
not at hand: the escrow key comes from Debian's ssss, the rest is the format
in docs/ceremony.md.

    printf '1-<64 hex>\\n3-<64 hex>\\n' | ssss-combine -t K -x -D -Q 2>&1 \\
        | grep -o '[0-9a-f]\\{64\\}' | tail -n 1 > kek.hex
    python3 open_escrow.py escrow.enc CEREMONY_ID kek.hex > root.key.pem

Needs python3-cryptography (Debian). Prints an unencrypted PKCS#8 PEM key:
write it only onto the signing machine, then encrypt or wipe it.
"""
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import serialization

MAGIC = b"RCESCRW1"
AAD_DOMAIN = b"ringca-ceremony escrow v1\0"


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: open_escrow.py ESCROW.enc CEREMONY_ID KEK_HEX_FILE")
    blob = open(sys.argv[1], "rb").read()
    kek = bytes.fromhex(open(sys.argv[3]).read().strip())
    if len(kek) != 32 or len(blob) < 40 or blob[:8] != MAGIC:
        sys.exit("not a ringca escrow file, or the key is not 64 hex digits")
    nonce, ctlen = blob[8:20], int.from_bytes(blob[20:24], "big")
    if ctlen != len(blob) - 24 - 16:
        sys.exit("escrow file length does not match its header")
    der = AESGCM(kek).decrypt(nonce, blob[24:], AAD_DOMAIN + sys.argv[2].encode())
    key = serialization.load_der_private_key(der, password=None)
    sys.stdout.buffer.write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


if __name__ == "__main__":
    main()
