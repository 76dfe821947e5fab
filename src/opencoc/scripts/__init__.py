"""The scripts domain."""
