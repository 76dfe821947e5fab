"""Static risk analysis of script content (scripts/risk.py): levels, matched rules and their examples."""

import pytest

from opencoc.scripts import risk

DANGEROUS = [
    ("rm -rf /", "HIGH", "rm", "rm -rf /"),
    ("rm -rf /*", "HIGH", "rm", "rm -rf /*"),
    ("rm -r --no-preserve-root /", "HIGH", "rm", "rm -r --no-preserve-root /"),
    ("sudo rm -fr /usr/", "HIGH", "rm", "rm -fr /usr/"),
    ("rm -rf ~", "HIGH", "rm", "rm -rf ~"),
    ("rm -rf $HOME/", "HIGH", "rm", "rm -rf $HOME/"),
    ("mkfs.xfs /dev/vdb", "HIGH", "mkfs", "mkfs.xfs"),
    ("dd if=img of=/dev/nvme0n1", "HIGH", "dd", "dd if=img of=/dev/nvme0n1"),
    ("cat img > /dev/sda", "HIGH", ">", "> /dev/sda"),
    ("poweroff", "HIGH", "shutdown", "poweroff"),
    ("systemctl halt", "HIGH", "shutdown", "systemctl halt"),
    ("init 0", "HIGH", "shutdown", "init 0"),
    ("REBOOT", "HIGH", "reboot", "REBOOT"),
    ("init 6", "HIGH", "reboot", "init 6"),
    ("chmod -R 0777 /", "HIGH", "chmod", "chmod -R 0777 /"),
    ("chown -R nobody /", "HIGH", "chown", "chown -R nobody /"),
    (":(){ :|:& };:", "HIGH", "fork bomb", ":(){ :|:& };:"),
    ("bomb(){ bomb|bomb& }; bomb", "HIGH", "fork bomb", "bomb(){ bomb|bomb& }; bomb"),
    ("curl -s https://x/i.sh | /bin/bash", "HIGH", "curl|sh", "curl -s https://x/i.sh | /bin/bash"),
    ('bash -c "$(curl -fsSL https://x/i.sh)"', "HIGH", "curl|sh", 'bash -c "$(curl'),
    ("echo root::0:0::/:/bin/sh > /etc/passwd", "HIGH", ">", "> /etc/passwd"),
    ("shutil.rmtree('/')", "HIGH", "rmtree", "shutil.rmtree('/'"),
    ("format d: /q", "HIGH", "format", "format d:"),
    ("rd /s /q c:\\", "HIGH", "rd", "rd /s /q c:\\"),
    ("rm -rf build", "MEDIUM", "rm -rf", "rm -rf"),
    ("kill -KILL 42", "MEDIUM", "kill", "kill -KILL"),
    ("pkill nginx", "MEDIUM", "kill", "pkill"),
    ("service nginx stop", "MEDIUM", "systemctl", "service nginx stop"),
    ("iptables -F", "MEDIUM", "iptables", "iptables -F"),
    ("ufw disable", "MEDIUM", "iptables", "ufw disable"),
    ("userdel bob", "MEDIUM", "userdel", "userdel"),
    ("crontab -r", "MEDIUM", "crontab", "crontab -r"),
]


@pytest.mark.parametrize(("content", "level", "rule", "example"), DANGEROUS, ids=[c[0] for c in DANGEROUS])
def test_a_dangerous_command_is_found_with_its_level_and_the_text_it_matched(
    content: str, level: str, rule: str, example: str
) -> None:
    analysis = risk.analyze(content)
    assert analysis.risk_level == level
    found = {f.rule.command_name: f.example for f in analysis.findings}
    assert found.get(rule) == example, found


HARMLESS = [
    "echo hello",
    "rm -f /tmp/x.log",
    "rm -rf /tmp/build",  # MEDIUM for the -rf, never HIGH: /tmp is not a system directory
    "dd if=/dev/zero of=/dev/null bs=1M count=1",
    "chmod -R 755 /opt/app",
    "chmod 777 /tmp/x",
    "chown -R app /srv/app",
    "echo rebooting later",
    "/opt/app/bin/shutdown_hook",
    "curl -o out.json https://example.com",
    "cat /etc/passwd",
    "kill 1234",
    "systemctl restart nginx",
]


@pytest.mark.parametrize("content", HARMLESS)
def test_look_alikes_are_not_high(content: str) -> None:
    assert risk.analyze(content).risk_level != "HIGH", risk.analyze(content).reasons()


def test_plain_content_is_low_with_nothing_found() -> None:
    assert risk.analyze("echo hello\nls -l /etc\n") == risk.Analysis("LOW", [])


@pytest.mark.parametrize("comment", ["# rm -rf /", "  # reboot", "REM format c: /q", ":: rd /s /q c:\\"])
def test_whole_line_comments_are_ignored(comment: str) -> None:
    assert risk.analyze(f"{comment}\necho ok").risk_level == "LOW"


def test_a_command_after_code_or_in_a_string_still_counts() -> None:
    assert risk.analyze("echo done # then reboot").risk_level == "HIGH"
    assert risk.analyze("import os\nos.system('reboot')").risk_level == "HIGH"
    assert risk.analyze("#!/bin/sh\nreboot").risk_level == "HIGH", "a shebang is not a comment to skip"


def test_the_highest_level_wins_and_each_rule_is_listed_once_in_table_order() -> None:
    analysis = risk.analyze("kill -9 1\nreboot\nkill -9 2\nrm -rf ./x\nreboot")
    assert analysis.risk_level == "HIGH"
    assert [f.rule.command_name for f in analysis.findings] == ["reboot", "rm -rf", "kill"]
    assert analysis.reasons() == "reboot (reboot), rm -rf (rm -rf), kill (kill -9)"


def test_an_example_is_at_most_128_characters() -> None:
    content = "curl " + "a" * 300 + " | sh"
    [finding] = risk.analyze(content).findings
    assert finding.example == content[:128]


def test_the_wire_form_lists_each_rule_with_its_descriptions() -> None:
    wire = risk.to_wire(risk.analyze("reboot"))
    assert wire["risk_level"] == "HIGH"
    [command] = wire["blacklist_commands"]  # type: ignore[misc]
    assert command["command_name"] == "reboot" and command["example"] == "reboot"
    assert command["description_en"] == "Reboots the host" and command["description_zh"] == "重启主机"
    assert set(command) == {"command_name", "command_rule", "example", "description_en", "description_zh"}
    assert risk.to_wire(risk.analyze("echo")) == {"risk_level": "LOW", "blacklist_commands": []}
