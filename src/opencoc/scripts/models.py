"""Tables of the scripts domain."""
