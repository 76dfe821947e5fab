"""Enumerations of §4.4.1.6: key -> (Chinese name, English name), and the error codes of the domain."""

LEVELS: dict[str, tuple[str, str]] = {
    "level_10": ("P1", "P1"),
    "level_20": ("P2", "P2"),
    "level_30": ("P3", "P3"),
    "level_40": ("P4", "P4"),
    "level_50": ("P5", "P5"),
}

TYPES: dict[str, tuple[str, str]] = {
    "inc_type_p_security_issues": ("安全问题", "Security issues"),
    "inc_type_p_function_issues": ("功能问题", "function issues"),
    "inc_type_p_reliability_issues": ("性能/可靠性问题", "reliability issues"),
    "inc_type_p_config_issues": ("配置问题", "config issues"),
    "inc_type_p_middlewares": ("中间件问题", "middleware issues"),
    "inc_type_p_hardware_issues": ("硬件问题", "hardware issues"),
    "inc_type_p_networking_issues": ("网络问题", "networking issues"),
    "inc_type_p_shelter_issues": ("机房问题", "shelter issues"),
    "inc_type_p_monitoring_issues": ("监控问题", "monitoring issues"),
    "inc_type_p_consulting_issues": ("咨询问题", "consulting issues"),
    "inc_type_p_suppliers_issues": ("供应商问题", "suppliers issues"),
    "inc_type_p_ohter_issues": ("其他", "Other issues"),
    "inc_type_p_change_issues": ("变更操作问题", "Change operation problem"),
}

SOURCES: dict[str, tuple[str, str]] = {
    "incident_source_manual": ("手动创建", "Manual Creation"),
    "incident_source_forwarding": ("转单创建", "Transfer creation"),
    "incident_source_alarm": ("告警", "alarm"),
}

TRIGGERED = "INCIDENT_STATUS_TRIGGERED"
ACKNOWLEDGED = "INCIDENT_STATUS_ACKNOWLEDGED"
RESOLVED = "INCIDENT_STATUS_RESOLVED"
COMPLETED = "INCIDENT_STATUS_COMPLETED"

STATUSES: dict[str, tuple[str, str]] = {
    "incident_draft": ("草稿", "DRAFT"),
    TRIGGERED: ("未受理", "TRIGGERED"),
    ACKNOWLEDGED: ("已受理", "ACKNOWLEDGED"),
    "INCIDENT_STATUS_REJECTED": ("已驳回", "REJECTED"),
    RESOLVED: ("待验证", "RESOLVED"),
    COMPLETED: ("已完成", "COMPLETED"),
}

ACCEPT = "acceptedIncident1"
COMMIT_SOLUTION = "commitSolution1"
CONFIRM = "confirm"
CREATE = "create"
OPERATE_KEYS = (ACCEPT, COMMIT_SOLUTION, CONFIRM)

INVALID_CODE = "COC.00000001"
NOT_FOUND_CODE = "COC.00067003"
WRONG_STATUS_CODE = "COC.00067004"
NOT_PERMITTED_CODE = "COC.00067005"
