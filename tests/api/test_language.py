"""API.md "Language": the first tag of Accept-Language decides; a tag starting with zh
(any case) gives Simplified Chinese for error.message, cancel.message and policy.summary;
anything else, or no header, gives English.

Method: the same requests with different headers; Chinese texts must contain CJK
characters, English ones none; everything else in the answer is the same."""

import fo_client
from fo_client import ApiTest, has_cjk


def tearDownModule():
    fo_client.stop_module_servers(__name__)


CHINESE = ["zh", "zh-CN", "ZH-tw", "zh-Hans-CN", "Zh", "zh;q=0.9", "zh-CN,en;q=0.8",
           "zh-HK, en"]
ENGLISH = [None, "en", "en-US", "fr", "en, zh", "en-GB,zh-CN;q=0.9", "*", "", "de-DE",
           "x-zh"]


class Language(ApiTest):
    def test_error_message(self):
        for lang in CHINESE:
            with self.subTest(lang=lang):
                resp = self.srv.request("GET", "/v1/wallet", lang=lang)
                err = self.assertError(resp, 401, "unauthorized")
                self.assertTrue(has_cjk(err["message"]), err["message"])
        for lang in ENGLISH:
            with self.subTest(lang=lang):
                resp = self.srv.request("GET", "/v1/wallet", lang=lang)
                err = self.assertError(resp, 401, "unauthorized")
                self.assertFalse(has_cjk(err["message"]), err["message"])

    def test_field_error_in_chinese_still_names_the_field(self):
        world = self.srv.world()
        resp = self.srv.request("POST", "/v1/orders", token=world.token, lang="zh-CN",
                                body={"service_id": world.service["id"], "quantity": 0,
                                      "target": "p"})
        err = self.assertError(resp, 400, "invalid_request", "quantity")
        self.assertTrue(has_cjk(err["message"]), err["message"])

    def test_order_view_texts(self):
        world = self.srv.world()
        view = world.place(10)
        english = world.order(view["id"])
        for lang in CHINESE:
            with self.subTest(lang=lang):
                got = world.order(view["id"], lang=lang)
                self.assertTrue(has_cjk(got["cancel"]["message"]), got["cancel"]["message"])
                self.assertTrue(has_cjk(got["policy"]["summary"]), got["policy"]["summary"])
                # Only the texts differ.
                strip = lambda v: dict(v, cancel=dict(v["cancel"], message=""),
                                       policy=dict(v["policy"], summary=""))
                self.assertEqual(strip(got), strip(english))
        for lang in ENGLISH:
            with self.subTest(lang=lang):
                got = world.order(view["id"], lang=lang)
                self.assertFalse(has_cjk(got["cancel"]["message"]), got["cancel"]["message"])
                self.assertFalse(has_cjk(got["policy"]["summary"]), got["policy"]["summary"])

    def test_placement_and_cancel_answers_follow_the_header(self):
        world = self.srv.world()
        resp = self.srv.place(world.token, world.service["id"], 10, lang="zh-CN")
        view = self.assertStatus(resp, 201)
        self.assertTrue(has_cjk(view["cancel"]["message"]))
        self.assertTrue(has_cjk(view["policy"]["summary"]))
        done = self.assertStatus(world.cancel(view["id"], lang="zh"), 200)["order"]
        self.assertTrue(has_cjk(done["cancel"]["message"]))
        again = self.assertError(world.cancel(view["id"], lang="zh"), 409, "not_cancellable")
        self.assertTrue(has_cjk(again["message"]))
        self.assertTrue(has_cjk(again["quote"]["message"]))
        en = self.assertError(world.cancel(view["id"], lang="en"), 409, "not_cancellable")
        self.assertFalse(has_cjk(en["message"]))
        self.assertFalse(has_cjk(en["quote"]["message"]))

    def test_every_quote_reason_has_distinct_texts_in_both_languages(self):
        world = self.srv.world(cooling_off_s=600, queued="fee")
        a = world.place(10)
        self.srv.advance(600)
        b = world.order(a["id"])
        for lang, check in (("en", lambda t: not has_cjk(t)), ("zh", has_cjk)):
            cooling = world.order(world.place(10)["id"], lang=lang)["cancel"]["message"]
            fee = world.order(b["id"], lang=lang)["cancel"]["message"]
            self.assertTrue(check(cooling) and check(fee), (cooling, fee))
            self.assertNotEqual(cooling, fee)

    def test_policy_summary_of_catalogue_and_policy_changed(self):
        world = self.srv.world()
        newer = self.srv.create_policy()
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertStatus(self.srv.admin("PATCH", path, {"policy_id": newer["id"]}), 200)
        resp = self.srv.place(world.token, world.service["id"], 10, lang="ZH-tw",
                              expected_policy_id=world.policy["id"])
        self.assertEqual(resp.status, 409, resp)
        self.assertTrue(has_cjk(resp.json["error"]["message"]))
        self.assertTrue(has_cjk(resp.json["error"]["policy"]["summary"]))
