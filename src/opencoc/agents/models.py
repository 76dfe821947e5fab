"""Tables of the agents domain."""
