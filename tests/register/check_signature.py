#!/usr/bin/python3
"""Checks a copy's code (ADDRESS#PAYLOAD.SIGNATURE, base64url) against an
organisation's published Ed25519 key with PyNaCl (libsodium's Python binding
from Debian, independent of kho's C++). Prints the payload and exits 0 when the
signature holds, exits 1 when it does not. Usage: check_signature.py CODE KEY"""
import base64
import sys

import nacl.exceptions
import nacl.signing


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


code, key = sys.argv[1], sys.argv[2]
payload, signature = code.rsplit("#", 1)[-1].split(".")
try:
    verified = nacl.signing.VerifyKey(unb64(key)).verify(unb64(payload), unb64(signature))
except nacl.exceptions.BadSignatureError:
    print("bad signature")
    sys.exit(1)
print(verified.decode("utf-8"))
