#!/usr/bin/env python3
"""Recompute an SDK-HMAC-SHA256 signature with Huawei's official Python SDK signer.

Input (stdin): one JSON object describing a request as a server received it:

    {"method": "GET", "raw_path": "/v2/p/instances", "raw_query": "engine=reliability",
     "headers": [["Host", "127.0.0.1:9100"], ...], "body": "", "ak": "...", "sk": "..."}

The request is rebuilt as a `huaweicloudsdkcore.sdk_request.SdkRequest`: same method, host,
resource path (as received, still percent-encoded), decoded query pairs, the headers the
client listed in `SignedHeaders` (X-Sdk-Date included, so the SDK reuses the same signing time)
and the body. `huaweicloudsdkcore.signer.signer.Signer.sign` then signs it, and its signature
is compared with the received one.

Output (stdout): {"match": bool, "expected": sig, "received": sig, "canonical_request": str,
"expected_authorization": str, "received_authorization": str, "expected_uri": str,
"received_uri": str, "uri_match": bool}. Exit status 0 when the signatures match, 1 when they
do not, 2 when the input cannot be used.

Nothing here reimplements the algorithm: canonicalisation, hashing and HMAC are all done by
the SDK's own code, so this is an independent check of the Rust signer.
"""

import json
import sys
from urllib.parse import unquote

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer


def fail(message):
    print(json.dumps({"match": False, "error": message}))
    sys.exit(2)


def field(authorization, name):
    """The value of `name=` in an `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`."""
    for part in authorization.split(" ", 1)[-1].split(","):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def decoded_query_pairs(raw_query):
    """The (name, value) pairs of a raw query string, percent-decoded (`+` stays `+`)."""
    pairs = []
    for piece in raw_query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return pairs


def main():
    try:
        received = json.load(sys.stdin)
    except ValueError as error:
        fail("stdin is not JSON: %s" % error)

    headers = [(str(name), str(value)) for name, value in received.get("headers", [])]
    by_lower_name = {}
    for name, value in headers:
        by_lower_name.setdefault(name.lower(), (name, value))

    authorization = by_lower_name.get("authorization", (None, None))[1]
    if authorization is None:
        fail("the request has no Authorization header")
    received_signature = field(authorization, "Signature")
    signed_header_names = (field(authorization, "SignedHeaders") or "").split(";")

    header_params = {}
    for lower_name in signed_header_names:
        if lower_name not in by_lower_name:
            fail("signed header %r is not among the received headers" % lower_name)
        name, value = by_lower_name[lower_name]
        header_params[name] = value
    host = by_lower_name.get("host", (None, None))[1]
    if host is None:
        fail("the request has no Host header")

    body = received.get("body") or ""
    request = SdkRequest(
        method=received["method"],
        schema="http",
        host=host,
        resource_path=received["raw_path"],
        query_params=decoded_query_pairs(received.get("raw_query", "")),
        header_params=header_params,
        body=body if body else None,
    )

    signer = Signer(BasicCredentials(received["ak"], received["sk"]))
    captured = {}
    original = signer._process_canonical_request

    def capture(req, signed_headers):
        captured["canonical_request"] = original(req, signed_headers)
        return captured["canonical_request"]

    signer._process_canonical_request = capture
    signed = signer.sign(request)

    expected_authorization = signed.header_params["Authorization"]
    expected_signature = field(expected_authorization, "Signature")
    raw_query = received.get("raw_query", "")
    received_uri = received["raw_path"] + ("?" + raw_query if raw_query else "")
    result = {
        "match": expected_signature == received_signature,
        "expected": expected_signature,
        "received": received_signature,
        "canonical_request": captured.get("canonical_request"),
        "expected_authorization": expected_authorization,
        "received_authorization": authorization,
        "expected_uri": signed.uri,
        "received_uri": received_uri,
        "uri_match": signed.uri == received_uri,
    }
    print(json.dumps(result))
    sys.exit(0 if result["match"] else 1)


if __name__ == "__main__":
    main()
