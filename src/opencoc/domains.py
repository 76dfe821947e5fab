"""The domain packages, in the order the app and the CLI load them."""

DOMAINS = ("auth", "incidents", "alarms", "scripts", "jobs", "agents", "resources")
