"""The resources domain."""
