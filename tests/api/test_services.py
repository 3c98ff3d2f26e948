"""API.md "GET /v1/services": active services only, each {id, name, unit,
unit_price_minor, min_quantity, max_quantity, currency, policy} with the policy as in the
order view (summary in the asked language); a list with limit and cursor.

Method: services are created and deactivated through the admin API, then the buyer's
catalogue is read page by page."""

import fo_client
from fo_client import ApiTest, POLICY_FIELDS, has_cjk


def tearDownModule():
    fo_client.stop_module_servers(__name__)


SERVICE_FIELDS = {"id", "name", "unit", "unit_price_minor", "min_quantity", "max_quantity",
                  "currency", "policy"}


class Catalogue(ApiTest):
    def test_active_services_with_their_policy(self):
        world = self.srv.world(unit_price_minor=7, min_quantity=10, max_quantity=500)
        services = self.srv.list_all("/v1/services", world.token)
        found = [s for s in services if s["id"] == world.service["id"]]
        self.assertEqual(len(found), 1)
        svc = found[0]
        self.assertTrue(SERVICE_FIELDS <= set(svc), svc)   # More members: a free extension.
        self.assertEqual((svc["name"], svc["unit"], svc["unit_price_minor"], svc["min_quantity"],
                          svc["max_quantity"], svc["currency"]),
                         (world.service["name"], "unit", 7, 10, 500, "CNY"))
        self.assertTrue(POLICY_FIELDS <= set(svc["policy"]), svc["policy"])
        for key in ("id", "name", "cooling_off_s", "pending", "queued", "executing",
                    "fee_fixed_minor", "fee_bps", "free_cancels_per_day"):
            self.assertEqual(svc["policy"][key], world.policy[key], key)
        self.assertFalse(has_cjk(svc["policy"]["summary"]), svc["policy"]["summary"])
        zh = self.srv.request("GET", "/v1/services?limit=200", token=world.token, lang="zh-CN")
        for item in zh.json["data"]:
            self.assertTrue(has_cjk(item["policy"]["summary"]), item["policy"]["summary"])

    def test_buyers_do_not_see_suppliers_admins_see_everything(self):
        # Which supplier fulfils a service is the operator's business (README, "Beyond the
        # contract"); admins also see inactive services and the active flag.
        world = self.srv.world()
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertStatus(self.srv.admin("PATCH", path, {"active": False}), 200)
        other = self.srv.world()
        for svc in self.srv.list_all("/v1/services", other.token):
            self.assertNotIn("supplier_id", svc)
            self.assertNotIn("active", svc)
        listed = {s["id"]: s for s in self.srv.list_all("/v1/services", self.srv.admin_token)}
        self.assertEqual(listed[world.service["id"]]["active"], False)
        self.assertEqual(listed[world.service["id"]]["supplier_id"], world.supplier["id"])
        self.assertEqual(listed[other.service["id"]]["active"], True)

    def test_inactive_services_are_not_listed(self):
        world = self.srv.world()
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertStatus(self.srv.admin("PATCH", path, {"active": False}), 200)
        ids = [s["id"] for s in self.srv.list_all("/v1/services", world.token)]
        self.assertNotIn(world.service["id"], ids)

    def test_patched_policy_shows_in_catalogue(self):
        world = self.srv.world()
        other = self.srv.create_policy(cooling_off_s=30)
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertStatus(self.srv.admin("PATCH", path, {"policy_id": other["id"]}), 200)
        svc = [s for s in self.srv.list_all("/v1/services", world.token)
               if s["id"] == world.service["id"]][0]
        self.assertEqual((svc["policy"]["id"], svc["policy"]["cooling_off_s"]), (other["id"], 30))

    def test_paging_returns_each_service_once(self):
        world = self.srv.world()
        created = {world.service["id"]}
        for _ in range(6):
            created.add(self.srv.create_service(world.policy["id"], world.supplier["id"])["id"])
        seen = []
        url = "/v1/services?limit=2"
        for _ in range(500):
            data = self.assertStatus(self.srv.request("GET", url, token=world.token), 200)
            self.assertLessEqual(len(data["data"]), 2)
            seen.extend(s["id"] for s in data["data"])
            if data["next_cursor"] is None:
                break
            url = "/v1/services?limit=2&cursor=" + fo_client._quote_url(data["next_cursor"])
        self.assertEqual(len(seen), len(set(seen)), "a service was listed twice")
        self.assertTrue(created <= set(seen))
        # Newest first: the services created here appear in reverse creation order.
        mine = [s for s in seen if s in created]
        self.assertEqual(mine[-1], world.service["id"])
