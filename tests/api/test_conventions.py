"""API.md "Conventions": the error shape, Content-Type (415), body size (413), header size
(431), JSON syntax (invalid_json), fields (invalid_request naming the field), unknown routes
(404) and methods (405), and the order in which these checks run.

Method: requests built to fail exactly one check, then requests that fail several checks
at once, whose answer must be the first failing check of API.md's list."""

import json

import fo_client
from fo_client import ApiTest


def tearDownModule():
    fo_client.stop_module_servers(__name__)


def nested(depth):
    """A JSON object body whose nesting depth is `depth` (the body object is level 1):
    {"service_id": [[...]]} with depth - 1 arrays."""
    return ('{"service_id": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}").encode()


class ErrorShape(ApiTest):
    def test_healthz(self):
        resp = self.srv.request("GET", "/healthz")
        self.assertEqual((resp.status, resp.json), (200, {"ok": True}))

    def test_unknown_routes_are_404_not_found(self):
        world = self.srv.world()
        for path in ("/v1/nope", "/v2/orders", "/", "/v1/orders/%s/bogus" % "ord_x",
                     "/v1/admin/nope", "/v1/supplier/jobs", "/healthz/x", "/v1//orders"):
            with self.subTest(path=path):
                resp = self.srv.request("GET", path, token=world.token)
                if path == "/" and resp.status == 200:
                    continue  # The web page may be served at /.
                self.assertError(resp, 404, "not_found")

    def test_unknown_order_is_404_not_found(self):
        world = self.srv.world()
        for path in ("/v1/orders/ord_doesnotexist", "/v1/orders/ord_doesnotexist/events",
                     "/v1/orders/xyz"):
            with self.subTest(path=path):
                self.assertError(self.srv.request("GET", path, token=world.token), 404,
                                 "not_found")
        self.assertError(world.cancel("ord_doesnotexist"), 404, "not_found")

    def test_wrong_method_is_405(self):
        world = self.srv.world()
        cases = [("DELETE", "/v1/orders"), ("PUT", "/v1/wallet"), ("POST", "/v1/wallet"),
                 ("GET", "/v1/supplier/claim"), ("POST", "/healthz"),
                 ("GET", "/v1/orders/ord_x/cancel"), ("DELETE", "/v1/admin/services/svc_x"),
                 ("GET", "/v1/admin/test-clock/advance"), ("PATCH", "/v1/orders")]
        for method, path in cases:
            with self.subTest(method=method, path=path):
                resp = self.srv.request(method, path, token=world.token)
                self.assertError(resp, 405, "method_not_allowed")

    def test_error_content_type_and_no_extra_members(self):
        resp = self.srv.request("GET", "/v1/wallet")
        err = self.assertError(resp, 401, "unauthorized")
        self.assertEqual(set(err), {"code", "message"})


class ContentType(ApiTest):
    def test_body_without_content_type_is_415(self):
        world = self.srv.world()
        body = json.dumps({"service_id": world.service["id"], "quantity": 10,
                           "target": "p"}).encode()
        resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=body,
                                content_type=None)
        self.assertError(resp, 415, "unsupported_media_type")
        self.assertWallet(world, 10000000, 0)

    def test_wrong_content_types_are_415(self):
        world = self.srv.world()
        body = json.dumps({"service_id": world.service["id"], "quantity": 10,
                           "target": "p"}).encode()
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                      "multipart/form-data; boundary=x", "json"):
            with self.subTest(ctype=ctype):
                resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=body,
                                        content_type=ctype)
                self.assertError(resp, 415, "unsupported_media_type")
        self.assertWallet(world, 10000000, 0)

    def test_charset_utf8_is_accepted(self):
        world = self.srv.world()
        body = json.dumps({"service_id": world.service["id"], "quantity": 10,
                           "target": "p"}).encode()
        resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=body,
                                content_type="application/json; charset=utf-8")
        self.assertStatus(resp, 201, "charset=utf-8")
        self.assertWallet(world, 10000000 - 50, 50)

    def test_empty_body_post_needing_no_fields_reads_as_empty_object(self):
        # Cancel has only optional fields: an empty body, with or without Content-Type.
        world = self.srv.world()
        first = world.place(10)
        resp = self.srv.request("POST", "/v1/orders/%s/cancel" % first["id"], token=world.token,
                                raw=b"", content_type=None)
        view = self.assertStatus(resp, 200, "empty cancel body")["order"]
        self.assertEqual(view["state"], "cancelled")
        second = world.place(10)
        resp = self.srv.request("POST", "/v1/orders/%s/cancel" % second["id"],
                                token=world.token, raw=b"")
        self.assertEqual(self.assertStatus(resp, 200)["order"]["state"], "cancelled")


class BodySize(ApiTest):
    def padded_order(self, world, total_bytes):
        body = json.dumps({"service_id": world.service["id"], "quantity": 10,
                           "target": "p"}).encode()
        return body[:-1] + b" " * (total_bytes - len(body)) + b"}"

    def test_body_of_exactly_64_kib_is_accepted(self):
        world = self.srv.world()
        raw = self.padded_order(world, 64 * 1024)
        self.assertEqual(len(raw), 65536)
        resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=raw)
        self.assertStatus(resp, 201, "64 KiB body")

    def test_body_over_64_kib_is_413(self):
        world = self.srv.world()
        raw = self.padded_order(world, 64 * 1024 + 1)
        resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=raw)
        self.assertError(resp, 413, "body_too_large")
        resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=b"x" * 1000000)
        self.assertError(resp, 413, "body_too_large")
        self.assertWallet(world, 10000000, 0)

    def test_chunked_body_over_64_kib_is_413(self):
        world = self.srv.world()
        raw = self.padded_order(world, 80 * 1024)
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(raw[i:i + 8192]), raw[i:i + 8192])
                          for i in range(0, len(raw), 8192)) + b"0\r\n\r\n"
        request = (b"POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Authorization: Bearer " + world.token.encode() + b"\r\n"
                   b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                   b"Connection: close\r\n\r\n" + chunks)
        status, _, body = fo_client.parse_raw_response(self.srv.raw(request))
        self.assertEqual(status, 413, body)
        self.assertEqual(body["error"]["code"], "body_too_large")
        self.assertWallet(world, 10000000, 0)

    def test_chunked_small_body_is_accepted(self):
        world = self.srv.world()
        raw = json.dumps({"service_id": world.service["id"], "quantity": 10,
                          "target": "p"}).encode()
        chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (5, raw[:5], len(raw) - 5, raw[5:])
        request = (b"POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Authorization: Bearer " + world.token.encode() + b"\r\n"
                   b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                   b"Connection: close\r\n\r\n" + chunks)
        status, _, body = fo_client.parse_raw_response(self.srv.raw(request))
        self.assertEqual(status, 201, body)
        self.assertWallet(world, 10000000 - 50, 50)

    def test_declared_huge_content_length_is_413_without_reading_it_all(self):
        world = self.srv.world()
        request = (b"POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Authorization: Bearer " + world.token.encode() + b"\r\n"
                   b"Content-Type: application/json\r\nContent-Length: 100000000\r\n"
                   b"Connection: close\r\n\r\n" + b" " * (100 * 1024))
        status, _, body = fo_client.parse_raw_response(self.srv.raw(request, timeout=10))
        self.assertEqual(status, 413, body)
        self.assertEqual(body["error"]["code"], "body_too_large")


class HeaderSize(ApiTest):
    def wallet_with_headers_bytes(self, token, total):
        """GET /v1/wallet whose header names plus values sum to exactly `total` bytes."""
        host = "127.0.0.1:%d" % self.srv.port
        fixed = [("Host", host), ("Authorization", "Bearer " + token), ("Connection", "close")]
        used = sum(len(n) + len(v) for n, v in fixed) + len("X-Pad")
        pad = total - used
        self.assertGreater(pad, 0)
        head = "GET /v1/wallet HTTP/1.1\r\n" + "".join("%s: %s\r\n" % nv for nv in fixed)
        head += "X-Pad: " + "a" * pad + "\r\n\r\n"
        return fo_client.parse_raw_response(self.srv.raw(head.encode(), timeout=10))

    def test_headers_of_16_kib_are_accepted(self):
        world = self.srv.world()
        status, _, body = self.wallet_with_headers_bytes(world.token, 16 * 1024)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["available_minor"], 10000000)

    def test_headers_over_16_kib_are_431_with_json(self):
        world = self.srv.world()
        for total in (16 * 1024 + 1, 20000, 40000, 64 * 1024 - 100):
            with self.subTest(total=total):
                status, headers, body = self.wallet_with_headers_bytes(world.token, total)
                self.assertEqual(status, 431, body)
                self.assertEqual(set(body), {"error"})
                self.assertEqual(body["error"]["code"], "headers_too_large")
                self.assertTrue(body["error"]["message"])

    def test_headers_split_over_many_lines_count_too(self):
        world = self.srv.world()
        extra = {"X-Pad-%03d" % i: "b" * 200 for i in range(90)}  # about 18.6 KiB
        resp = self.srv.request("GET", "/v1/wallet", token=world.token, headers=extra)
        self.assertError(resp, 431, "headers_too_large")

    def test_headers_beyond_64_kib_answer_4xx_and_server_keeps_serving(self):
        world = self.srv.world()
        head = ("GET /v1/wallet HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "X-Pad: %s\r\nConnection: close\r\n\r\n" % (world.token, "c" * 200000))
        data = self.srv.raw(head.encode(), timeout=10)
        status, _, _ = fo_client.parse_raw_response(data)
        # The HTTP layer may answer a plain 4xx past 64 KiB; it must not hang or crash.
        if data:
            self.assertIsNotNone(status, data[:200])
            self.assertTrue(400 <= status < 500, data[:200])
        self.assertEqual(self.srv.request("GET", "/healthz").status, 200)


class JsonSyntax(ApiTest):
    def post(self, world, raw):
        return self.srv.request("POST", "/v1/orders", token=world.token, raw=raw)

    def test_malformed_json_is_invalid_json(self):
        world = self.srv.world()
        svc = world.service["id"]
        bodies = [b"{", b"{]", b"not json", b'{"quantity": 10,}', b"{'quantity': 10}",
                  ('{"service_id": "%s", "quantity": 10, "target": "p"} x' % svc).encode(),
                  ('{"service_id": "%s", "quantity": 10, "target": "p"}{}' % svc).encode(),
                  b'{"quantity": 01}', b'{"quantity": NaN}', b'{"target": "a\x01b"}',
                  b'{"target": "\\x41"}', b'{"quantity": 1']
        for raw in bodies:
            with self.subTest(raw=raw):
                self.assertError(self.post(world, raw), 400, "invalid_json")
        self.assertWallet(world, 10000000, 0)

    def test_invalid_utf8_is_invalid_json(self):
        world = self.srv.world()
        svc = world.service["id"].encode()
        for bad in (b"\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                    b"abc\x80"):
            raw = b'{"service_id": "' + svc + b'", "quantity": 10, "target": "' + bad + b'"}'
            with self.subTest(bad=bad):
                self.assertError(self.post(world, raw), 400, "invalid_json")
        self.assertWallet(world, 10000000, 0)

    def test_duplicate_keys_are_invalid_json(self):
        world = self.srv.world()
        svc = world.service["id"]
        raw = ('{"service_id": "%s", "quantity": 10, "quantity": 20, "target": "p"}'
               % svc).encode()
        self.assertError(self.post(world, raw), 400, "invalid_json")
        self.assertWallet(world, 10000000, 0)

    def test_nesting_deeper_than_64_is_invalid_json(self):
        world = self.srv.world()
        # 64 levels is valid JSON for us: the body is then refused for its field.
        self.assertError(self.post(world, nested(64)), 400, "invalid_request", "service_id")
        self.assertError(self.post(world, nested(65)), 400, "invalid_json")
        self.assertError(self.post(world, nested(5000)), 400, "invalid_json")
        self.assertEqual(self.srv.request("GET", "/healthz").status, 200)

    def test_integer_beyond_64_bits_is_400(self):
        world = self.srv.world()
        raw = ('{"service_id": "%s", "quantity": 99999999999999999999, "target": "p"}'
               % world.service["id"]).encode()
        resp = self.post(world, raw)
        self.assertEqual(resp.status, 400, resp)
        self.assertIn(resp.json["error"]["code"], ("invalid_json", "invalid_request"))
        if resp.json["error"]["code"] == "invalid_request":
            self.assertIn("quantity", resp.json["error"]["message"])


class Fields(ApiTest):
    def test_body_not_an_object_is_invalid_request(self):
        world = self.srv.world()
        for raw in (b"[]", b"1", b"null", b'"text"', b"true", b'[{"quantity": 1}]'):
            with self.subTest(raw=raw):
                resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=raw)
                self.assertError(resp, 400, "invalid_request")

    def test_unknown_field_is_named(self):
        world = self.srv.world()
        resp = self.srv.request("POST", "/v1/orders", token=world.token, body={
            "service_id": world.service["id"], "quantity": 10, "target": "p",
            "colour_preference": "blue"})
        self.assertError(resp, 400, "invalid_request", "colour_preference")
        self.assertWallet(world, 10000000, 0)

    def test_missing_field_is_named(self):
        world = self.srv.world()
        full = {"service_id": world.service["id"], "quantity": 10, "target": "p"}
        for name in full:
            body = dict(full)
            del body[name]
            with self.subTest(missing=name):
                resp = self.srv.request("POST", "/v1/orders", token=world.token, body=body)
                self.assertError(resp, 400, "invalid_request", name)

    def test_wrong_types_are_named(self):
        world = self.srv.world()
        full = {"service_id": world.service["id"], "quantity": 10, "target": "p"}
        cases = [("quantity", "10"), ("quantity", 1.5), ("quantity", True), ("quantity", None),
                 ("quantity", [10]), ("quantity", 1e3), ("service_id", 12),
                 ("service_id", None), ("target", 12345), ("target", ["p"]),
                 ("target", {"x": 1}), ("expected_policy_id", 5)]
        for name, value in cases:
            body = dict(full)
            body[name] = value
            with self.subTest(field=name, value=value):
                resp = self.srv.request("POST", "/v1/orders", token=world.token, body=body)
                self.assertError(resp, 400, "invalid_request", name)
        self.assertWallet(world, 10000000, 0)

    def test_out_of_range_is_named(self):
        world = self.srv.world()
        full = {"service_id": world.service["id"], "quantity": 10, "target": "p"}
        for value in (0, -1, 1000000001, -9223372036854775808, 9223372036854775807):
            body = dict(full, quantity=value)
            with self.subTest(quantity=value):
                resp = self.srv.request("POST", "/v1/orders", token=world.token, body=body)
                self.assertError(resp, 400, "invalid_request", "quantity")

    def test_cancel_fields(self):
        world = self.srv.world()
        view = world.place(10)
        for body, field in (({"expected_refund_minor": "50"}, "expected_refund_minor"),
                            ({"expected_refund_minor": -1}, "expected_refund_minor"),
                            ({"reason": 7}, "reason"), ({"reason": "x" * 501}, "reason"),
                            ({"whatever": 1}, "whatever")):
            with self.subTest(body=body):
                self.assertError(world.cancel(view["id"], body), 400, "invalid_request", field)
        self.assertEqual(world.order(view["id"])["state"], "queued")
        # 500 characters of reason are fine (CJK counts as one character each).
        resp = world.cancel(view["id"], {"reason": "理" * 500})
        self.assertEqual(self.assertStatus(resp, 200)["order"]["state"], "cancelled")


class CheckOrder(ApiTest):
    """API.md: route (404, 405), authentication and role (401, 403), header and body size
    (431, 413), Content-Type (415), idempotency, JSON syntax, fields, business rules."""

    def test_route_before_auth(self):
        self.assertError(self.srv.request("GET", "/v1/nope"), 404, "not_found")
        self.assertError(self.srv.request("GET", "/v1/nope", token="bogus"), 404, "not_found")
        self.assertError(self.srv.request("DELETE", "/v1/orders"), 405, "method_not_allowed")
        self.assertError(self.srv.request("PUT", "/v1/admin/buyers", token="bogus",
                                          raw=b"{", content_type="text/plain"),
                         405, "method_not_allowed")

    def test_auth_before_sizes_content_type_and_json(self):
        resp = self.srv.request("POST", "/v1/orders", raw=b"x" * (70 * 1024),
                                content_type="text/plain")
        self.assertError(resp, 401, "unauthorized")
        resp = self.srv.request("POST", "/v1/orders", token="unknown-token", raw=b"{",
                                content_type=None, headers={"X-Pad": "a" * 17000})
        self.assertError(resp, 401, "unauthorized")

    def test_role_before_sizes_content_type_and_json(self):
        world = self.srv.world()
        resp = self.srv.request("POST", "/v1/admin/buyers", token=world.token,
                                raw=b"x" * (70 * 1024), content_type="text/plain")
        self.assertError(resp, 403, "forbidden")
        resp = self.srv.request("POST", "/v1/supplier/claim", token=world.token, raw=b"{",
                                headers={"X-Pad": "a" * 17000})
        self.assertError(resp, 403, "forbidden")

    def test_header_size_before_body_size_and_content_type(self):
        world = self.srv.world()
        resp = self.srv.request("POST", "/v1/orders", token=world.token,
                                raw=b"x" * (70 * 1024), content_type="text/plain",
                                headers={"X-Pad": "a" * 17000})
        self.assertError(resp, 431, "headers_too_large")

    def test_body_size_before_content_type(self):
        world = self.srv.world()
        resp = self.srv.request("POST", "/v1/orders", token=world.token,
                                raw=b"x" * (70 * 1024), content_type="text/plain")
        self.assertError(resp, 413, "body_too_large")

    def test_content_type_before_idempotency_and_json(self):
        world = self.srv.world()
        body = {"service_id": world.service["id"], "quantity": 10, "target": "p"}
        first = self.srv.request("POST", "/v1/orders", token=world.token, body=body, idem="k1")
        self.assertStatus(first, 201)
        resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=b"{", idem="k1",
                                content_type="text/plain")
        self.assertError(resp, 415, "unsupported_media_type")

    def test_idempotency_before_json_syntax_and_fields(self):
        world = self.srv.world()
        body = {"service_id": world.service["id"], "quantity": 10, "target": "p"}
        first = self.srv.request("POST", "/v1/orders", token=world.token, body=body, idem="k2")
        self.assertStatus(first, 201)
        resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=b"{", idem="k2")
        self.assertError(resp, 409, "idempotency_conflict")
        resp = self.srv.request("POST", "/v1/orders", token=world.token, body={"bogus": 1},
                                idem="k2")
        self.assertError(resp, 409, "idempotency_conflict")
        self.assertWallet(world, 10000000 - 50, 50)

    def test_json_syntax_before_fields(self):
        world = self.srv.world()
        raw = b'{"bogus": 1, "quantity": "x", "quantity": 2}'
        resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=raw)
        self.assertError(resp, 400, "invalid_json")

    def test_fields_before_business_rules(self):
        world = self.srv.world()
        poor = self.srv.create_buyer()
        # Unknown service and no money, but an unknown field: 400 first.
        resp = self.srv.request("POST", "/v1/orders", token=poor["token"], body={
            "service_id": "svc_doesnotexist", "quantity": 10, "target": "p", "bogus": 1})
        self.assertError(resp, 400, "invalid_request", "bogus")
        # Another buyer's order with a bad cancel body: the field is refused first.
        view = world.place(10)
        resp = self.srv.cancel(poor["token"], view["id"], {"bogus": 1})
        self.assertError(resp, 400, "invalid_request", "bogus")
        self.assertEqual(world.order(view["id"])["state"], "queued")

    def test_unknown_service_before_insufficient_funds(self):
        poor = self.srv.create_buyer()
        resp = self.srv.place(poor["token"], "svc_doesnotexist", 10)
        self.assertError(resp, 404, "service_not_found")

    def test_auth_before_not_found(self):
        resp = self.srv.request("GET", "/v1/orders/ord_doesnotexist", token="bogus")
        self.assertError(resp, 401, "unauthorized")
