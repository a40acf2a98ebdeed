#!/usr/bin/env python3
"""Prints the SigV4 known answers of Tests/IngestKitTests/Bronze/S3/SigV4KnownAnswers.swift, computed
with botocore's signer (pip install botocore). Run it again only to add cases; the tests
read the committed Swift file, not Python.

Usage: python3 scripts/sigv4-known-answers.py > Tests/IngestKitTests/Bronze/S3/SigV4KnownAnswers.swift
"""
import datetime
import json
from unittest import mock
from urllib.parse import quote

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TEST_SUITE = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830T123600Z", "us-east-1", "service")
S3_DOCS = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524T000000Z", "us-east-1", "s3")

# name, (access, secret, date, region, service), method, scheme, host, raw path, query pairs, headers, body, signed payload
CASES = [
    # From AWS's SigV4 test suite (generic service, no x-amz-content-sha256).
    ("get-vanilla", TEST_SUITE, "GET", "https", "example.amazonaws.com", "/", [], [], b"", True),
    ("get-vanilla-query-order-key-case", TEST_SUITE, "GET", "https", "example.amazonaws.com", "/",
     [("Param2", "value2"), ("Param1", "value1")], [], b"", True),
    ("get-vanilla-query-unreserved", TEST_SUITE, "GET", "https", "example.amazonaws.com", "/",
     [("-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")],
     [], b"", True),
    ("get-header-value-trim", TEST_SUITE, "GET", "https", "example.amazonaws.com", "/", [],
     [("My-Header1", " value1"), ("My-Header2", ' "a   b   c"')], b"", True),
    ("post-header-key-sort", TEST_SUITE, "POST", "https", "example.amazonaws.com", "/", [], [("My-Header1", "value1")], b"", True),
    ("post-vanilla-query", TEST_SUITE, "POST", "https", "example.amazonaws.com", "/", [("Param1", "value1")], [], b"", True),
    ("post-x-www-form-urlencoded", TEST_SUITE, "POST", "https", "example.amazonaws.com", "/", [],
     [("Content-Type", "application/x-www-form-urlencoded")], b"Param1=value1", True),
    # AWS's S3 documentation examples (virtual-hosted bucket examplebucket).
    ("s3-get-object-range", S3_DOCS, "GET", "https", "examplebucket.s3.amazonaws.com", "/test.txt", [],
     [("Range", "bytes=0-9")], b"", True),
    ("s3-put-object", S3_DOCS, "PUT", "https", "examplebucket.s3.amazonaws.com", "/test$file.text", [],
     [("x-amz-storage-class", "REDUCED_REDUNDANCY")], b"Welcome to Amazon S3.", True),
    ("s3-get-lifecycle", S3_DOCS, "GET", "https", "examplebucket.s3.amazonaws.com", "/", [("lifecycle", "")], [], b"", True),
    ("s3-list-objects", S3_DOCS, "GET", "https", "examplebucket.s3.amazonaws.com", "/", [("max-keys", "2"), ("prefix", "J")], [], b"", True),
    # What bronze sends: path-style keys with '=' and '/', metadata, continuation tokens, unsigned payloads.
    ("s3-put-bronze-key", ("minioadmin", "minio-secret-key-123", "20261127T010203Z", "us-east-1", "s3"), "PUT", "http", "127.0.0.1:9000",
     "/lakehouse/bronze/acme_portal/dataset=orders/ingest_date=2026-11-27/run_id=r 1/page_00001.json", [],
     [("Content-Type", "application/json"), ("x-amz-meta-run-id", "r1"), ("x-amz-meta-source-url", "http://h/v1/orders?page=1&token=***")],
     b'{"results": []}', True),
    ("s3-list-continuation", ("minioadmin", "minio-secret-key-123", "20261127T010203Z", "eu-west-1", "s3"), "GET", "http", "127.0.0.1:9000",
     "/lakehouse", [("list-type", "2"), ("prefix", "bronze/acme_portal/dataset=orders/"), ("continuation-token", "1/ab+c=="), ("max-keys", "1000")],
     [], b"", True),
    ("s3-upload-part-unsigned", ("AKIAEXAMPLE", "secret/with+chars=", "20261127T235959Z", "us-east-1", "s3"), "PUT", "https",
     "lakehouse.s3.us-east-1.amazonaws.com", "/p/a=b/c d+e.json", [("partNumber", "2"), ("uploadId", "x/y=z")], [], b"part bytes", False),
    ("s3-create-multipart", ("AKIAEXAMPLE", "secret/with+chars=", "20261127T235959Z", "us-east-1", "s3"), "POST", "https",
     "lakehouse.s3.us-east-1.amazonaws.com", "/k.json", [("uploads", "")], [("Content-Type", "application/json")], b"", True),
]


def sign(case):
    name, (access, secret, date, region, service), method, scheme, host, path, query, headers, body, signed = case
    url = f"{scheme}://{host}{quote(path, safe='/~')}"
    request = AWSRequest(method=method, url=url, data=body, params=query or None)
    for header, value in headers:
        request.headers[header] = value
    request.headers["Host"] = host
    request.context["payload_signing_enabled"] = signed
    if not signed:
        request.context["client_config"] = mock.Mock(s3={"payload_signing_enabled": False})
    auth_class = S3SigV4Auth if service == "s3" else SigV4Auth
    auth = auth_class(Credentials(access, secret), service, region)
    now = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=now):
        auth.add_auth(request)
    return request.headers["Authorization"], request.headers.get("X-Amz-Content-SHA256")


def swift(text):
    return json.dumps(text, ensure_ascii=False)


print("// Generated by scripts/sigv4-known-answers.py with botocore's signer. Where AWS publishes a signature")
print("// for the same request (get-vanilla, s3-get-object-range, s3-get-lifecycle, s3-list-objects), it is identical.")
print("import Foundation\n")
print("struct SigV4KnownAnswer: Sendable {")
print("    var name, accessKey, secretKey, date, region, service, method, host, path: String")
print("    var query: [(String, String)]")
print("    var headers: [(String, String)]")
print("    var body: String")
print("    var signedPayload: Bool")
print("    var authorization: String")
print("    var contentSHA256: String?")
print("}\n")
print("let sigV4KnownAnswers: [SigV4KnownAnswer] = [")
for case in CASES:
    authorization, content = sign(case)
    name, (access, secret, date, region, service), method, scheme, host, path, query, headers, body, signed = case
    pairs = lambda items: "[" + ", ".join(f"({swift(a)}, {swift(b)})" for a, b in items) + "]"
    print(f"    SigV4KnownAnswer(name: {swift(name)}, accessKey: {swift(access)}, secretKey: {swift(secret)}, date: {swift(date)},")
    print(f"                     region: {swift(region)}, service: {swift(service)}, method: {swift(method)}, host: {swift(host)},")
    print(f"                     path: {swift(path)}, query: {pairs(query)},")
    print(f"                     headers: {pairs(headers)}, body: {swift(body.decode())}, signedPayload: {'true' if signed else 'false'},")
    print(f"                     authorization: {swift(authorization)},")
    print(f"                     contentSHA256: {swift(content) if content else 'nil'}),")
print("]")
