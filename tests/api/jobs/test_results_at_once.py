"""Results of several orders posted at once (on PostgreSQL two results groups are written at once,
jobs/groups.py): each applies once, and every order goes through its batches to FINISHED."""

from concurrent.futures import ThreadPoolExecutor

from tests.api.jobs.helpers import Fleet, batches


def test_results_of_several_orders_posted_at_once_each_apply_and_every_order_finishes(fleet: Fleet) -> None:
    hosts = fleet.enroll(4)
    script = fleet.script("echo ok", [])
    uuids = [fleet.execute(script, batches(hosts[:2], hosts[2:])) for _ in range(4)]
    with ThreadPoolExecutor(8) as pool:
        for batch in (hosts[:2], hosts[2:]):
            taken = [(host, task["task_id"]) for host in batch for task in fleet.poll(host)["tasks"]]
            assert len(taken) == 8, "each of the batch's two hosts has a task of each order"
            answers = list(pool.map(lambda work: fleet.report(*work), reversed(taken)))
            assert [(a.status_code, a.json()) for a in answers] == [(200, {"accepted": True})] * 8
            repeats = list(pool.map(lambda work: fleet.report(*work), taken))
            assert [a.json() for a in repeats] == [{"accepted": False}] * 8, "a result applies once"
    assert [fleet.status(uuid) for uuid in uuids] == ["FINISHED"] * 4
    for uuid in uuids:
        for index, batch in ((1, hosts[:2]), (2, hosts[2:])):
            instances = fleet.instances(uuid, index)
            assert {sn: i["status"] for sn, i in instances.items()} == {host.agent_sn: "FINISHED" for host in batch}
