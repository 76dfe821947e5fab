"""The allow-list refuses schemes not listed and hosts that resolve inside the network, unless listed."""

import pytest

from opencoc.notifications.allowlist import Policy, address_refusal, host_refusal, scheme_refusal

DEFAULT = Policy.parse("mailto,mailtos,json,jsons,slack", "")


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "[::1]",
        "::1",
        "fe80::1",
        "fc00::1",
        "::",
        "ff02::1",
        "::ffff:127.0.0.1",
        "[::ffff:10.0.0.1]",
        "localhost",
        "2130706433",  # 127.0.0.1 in decimal, which the resolver (and so Apprise) accepts
        "0x7f000001",
        "0177.0.0.1",
    ],
)
def test_internal_hosts_are_refused_naming_the_setting(host: str) -> None:
    reason = host_refusal(DEFAULT, host)
    assert reason is not None and "OPENCOC_NOTIFY_ALLOWED_HOSTS" in reason and "internal address" in reason


@pytest.mark.parametrize("host", ["8.8.8.8", "2001:4860:4860::8888", "[2606:4700::1111]", "no-such-host.invalid"])
def test_public_addresses_and_unresolvable_names_pass(host: str) -> None:
    assert host_refusal(DEFAULT, host) is None


def test_a_listed_name_or_network_may_be_internal() -> None:
    policy = Policy.parse("mailto", "smtp.internal, 127.0.0.1, 10.0.0.0/8, [fd00::/8]")
    assert address_refusal(policy, "SMTP.internal", ["192.168.0.5"]) is None
    assert host_refusal(policy, "127.0.0.1") is None
    assert host_refusal(policy, "10.200.1.1") is None
    assert host_refusal(policy, "fd12::1") is None
    assert host_refusal(policy, "127.0.0.2") is not None, "only the listed loopback address is allowed"
    assert host_refusal(policy, "192.168.1.1") is not None


def test_a_name_with_one_internal_address_among_public_ones_is_refused() -> None:
    assert address_refusal(DEFAULT, "mixed.example", ["93.184.216.34", "10.0.0.7"]) is not None


def test_schemes_not_listed_are_refused_with_the_list() -> None:
    assert scheme_refusal(DEFAULT, "JSON") is None
    reason = scheme_refusal(DEFAULT, "xml")
    assert reason is not None and "OPENCOC_NOTIFY_ALLOWED_SCHEMES" in reason and "mailto" in reason
