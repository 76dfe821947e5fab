"""Tables of the resources domain."""
