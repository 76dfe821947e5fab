"""The alarms domain."""
