"""The web console: server-rendered pages (Jinja2 + htmx) at /console/, on the domains' public services."""
