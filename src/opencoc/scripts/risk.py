"""Static risk analysis of script content: a blacklist of dangerous commands, each with a level.

The result is what `check_script_risk` returns: the highest level found (LOW when nothing
matches) and the rules that matched, each with the text that matched as its `example`.
Whole-line comments (`#`, `REM`, `::`) are ignored; everything else is matched as text, so
a command hidden in a string (`os.system("reboot")`) is still found.
"""

import re
from dataclasses import dataclass
from functools import cached_property

LEVELS = {"LOW": 0, "MEDIUM": 1, "HIGH": 2}

# A path argument that ends here: whitespace, a command separator, a quote or the end.
_END = r"""(?=[\s;&|)'"`]|$)"""
_SYSTEM_DIRS = r"(?:bin|boot|dev|etc|home|lib|lib64|opt|proc|root|sbin|srv|sys|usr|var)"
# Within one command: no separator between the command name and what follows.
_SAME_CMD = r"[^\n;|&]*"


@dataclass(frozen=True)
class Rule:
    command_name: str
    command_rule: str
    level: str
    description_en: str
    description_zh: str

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.command_rule, re.MULTILINE | re.IGNORECASE)


RULES: tuple[Rule, ...] = (
    Rule(
        "rm",
        rf"\brm\s+(?:-{{1,2}}[\w-]+\s+)*(?:/\*?|/{_SYSTEM_DIRS}/?\*?|~/?|\$HOME/?){_END}",
        "HIGH",
        "Deletes the root file system, a system directory or the home directory",
        "删除根目录、系统目录或家目录",
    ),
    Rule("mkfs", r"\bmkfs(?:\.\w+)?\b", "HIGH", "Formats a file system", "格式化文件系统"),
    Rule(
        "dd",
        rf"\bdd\b{_SAME_CMD}\bof=/dev/(?!null\b|zero\b|stdout\b|stderr\b)\w+",
        "HIGH",
        "Writes raw data onto a device",
        "向设备写入原始数据",
    ),
    Rule(
        ">",
        r">\s*/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|dm-)\w*",
        "HIGH",
        "Overwrites a block device",
        "覆盖块设备",
    ),
    Rule(
        "shutdown",
        r"(?<![\w.-])(?:shutdown|poweroff|halt)\b|\bsystemctl\s+(?:poweroff|halt)\b|\binit\s+0\b",
        "HIGH",
        "Shuts the host down",
        "关闭主机",
    ),
    Rule(
        "reboot",
        r"(?<![\w.-])reboot\b|\bsystemctl\s+reboot\b|\binit\s+6\b",
        "HIGH",
        "Reboots the host",
        "重启主机",
    ),
    Rule(
        "chmod",
        rf"\bchmod\b(?={_SAME_CMD}\s-(?:[a-zA-Z]*R|-recursive))(?={_SAME_CMD}\s0?777\b){_SAME_CMD}\s/{_END}",
        "HIGH",
        "Makes the whole file system writable by everyone",
        "将整个文件系统设为所有人可写",
    ),
    Rule(
        "chown",
        rf"\bchown\b(?={_SAME_CMD}\s-(?:[a-zA-Z]*R|-recursive)){_SAME_CMD}\s/{_END}",
        "HIGH",
        "Changes the owner of the whole file system",
        "修改整个文件系统的属主",
    ),
    Rule(
        "fork bomb",
        r"(?<![\w:])([\w:]+)\s*\(\)\s*\{\s*\1\s*\|\s*\1\s*&\s*\}\s*;?\s*\1",
        "HIGH",
        "A fork bomb exhausts the host's processes",
        "fork 炸弹耗尽主机进程",
    ),
    Rule(
        "curl|sh",
        r"\b(?:curl|wget)\b[^\n;]*\|\s*(?:sudo\s+)?(?:\w*/)*(?:ba|z|k|da|c)?sh\b"
        r"|\b(?:ba|z|k)?sh\s+(?:-c\s+)?[\"']?(?:<\(|\$\()\s*(?:curl|wget)\b",
        "HIGH",
        "Runs code downloaded from the network without checking it",
        "未经校验直接执行从网络下载的代码",
    ),
    Rule(
        ">",
        r">\s*/etc/(?:passwd|shadow|sudoers|group)\b",
        "HIGH",
        "Overwrites the account database",
        "覆盖账号数据库",
    ),
    Rule(
        "rmtree",
        r"\bshutil\.rmtree\(\s*[rbu]?[\"']/[\"']",
        "HIGH",
        "Deletes the root file system from Python",
        "在 Python 中删除根目录",
    ),
    Rule(
        "format",
        r"(?:^|[\s&|])format\s+[a-z]:",
        "HIGH",
        "Formats a Windows drive",
        "格式化 Windows 磁盘",
    ),
    Rule(
        "rd",
        r"\b(?:rd|rmdir|del)\s+(?:/[a-z]\s+)*[a-z]:\\\*?(?=\s|$)",
        "HIGH",
        "Deletes a whole Windows drive",
        "删除整个 Windows 磁盘",
    ),
    Rule(
        "rm -rf",
        r"\brm\s+(?:-{1,2}[\w-]+\s+)*-(?=[a-zA-Z]*r)(?=[a-zA-Z]*f)[a-zA-Z]+\b",
        "MEDIUM",
        "Deletes files recursively without asking",
        "强制递归删除文件",
    ),
    Rule(
        "kill",
        r"\bkill\s+-(?:9|KILL|s\s+KILL)\b|\b(?:killall|pkill)\b",
        "MEDIUM",
        "Kills processes",
        "强制终止进程",
    ),
    Rule(
        "systemctl",
        r"\bsystemctl\s+(?:stop|disable|mask|kill)\b|\bservice\s+\S+\s+stop\b",
        "MEDIUM",
        "Stops a system service",
        "停止系统服务",
    ),
    Rule(
        "iptables",
        r"\b(?:ip6?tables\s+(?:-F|--flush)|ufw\s+disable|nft\s+flush)\b",
        "MEDIUM",
        "Flushes the firewall rules",
        "清空防火墙规则",
    ),
    Rule(
        "userdel",
        r"(?<![\w./-])(?:userdel|groupdel|passwd)\b",
        "MEDIUM",
        "Changes system accounts",
        "修改系统账号",
    ),
    Rule("crontab", r"\bcrontab\s+-r\b", "MEDIUM", "Deletes the user's crontab", "删除定时任务"),
)

_COMMENT = re.compile(r"^\s*(?:#(?!!)|rem\b|::).*$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    rule: Rule
    example: str


@dataclass(frozen=True)
class Analysis:
    risk_level: str
    findings: list[Finding]

    def reasons(self) -> str:
        """`rm (rm -rf /), reboot (reboot)`: the matched rules for an error message."""
        return ", ".join(f"{f.rule.command_name} ({f.example})" for f in self.findings)


def analyze(content: str) -> Analysis:
    """The content's risk level and every blacklist rule it matches (each rule once)."""
    text = _COMMENT.sub("", content)
    findings: list[Finding] = []
    level = "LOW"
    for rule in RULES:
        match = rule.pattern.search(text)
        if match is None:
            continue
        findings.append(Finding(rule, match.group(0).strip()[:128]))
        if LEVELS[rule.level] > LEVELS[level]:
            level = rule.level
    return Analysis(level, findings)


def to_wire(analysis: Analysis) -> dict[str, object]:
    """The `data` of check_script_risk."""
    return {
        "risk_level": analysis.risk_level,
        "blacklist_commands": [
            {
                "command_name": f.rule.command_name,
                "command_rule": f.rule.command_rule,
                "example": f.example,
                "description_en": f.rule.description_en,
                "description_zh": f.rule.description_zh,
            }
            for f in analysis.findings
        ],
    }
