"""`jiceng serve` and the demo: deliveries run in a thread of the web process, so a robot that does not answer does
not hold the request (decision 071)."""

import pytest
from django.test import Client

from jiceng.accounts.models import Role
from jiceng.channels import delivery
from jiceng.channels.models import Channel, Delivery, Robot, Status
from jiceng.demands.models import Demand
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_hanging_robot_does_not_block_the_request(tree, fake_server, settings):
    settings.JICENG_DELIVERY_MODE = "thread"
    settings.JICENG_DELIVERY_TIMEOUT = 0.2
    settings.JICENG_DELIVERY_RETRIES = 0
    Robot.objects.create(name="五角场街道工作群", webhook_url=f"{fake_server.url}/send?key=k", place=tree["street1"],
                         kinds=["demands"])
    fake_server.script = ["hang"]  # the robot never answers until released
    staff = f.user("street", Role.STREET_STAFF, tree["street1"])
    client = Client()
    client.force_login(staff)
    body = {"place": tree["building1"].pk, "title": "电梯故障", "text": "三号电梯停了"}
    response = client.post("/api/demands/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Demand.objects.count() == 1
    delivery.THREAD.join()  # the thread had its attempt: a timeout, logged
    row = Delivery.objects.get(channel=Channel.WECOM)
    assert row.status == Status.FAILED and "timeout" in row.answer
    fake_server.release.set()
