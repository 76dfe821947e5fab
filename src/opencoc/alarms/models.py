"""Tables of the alarms domain."""
