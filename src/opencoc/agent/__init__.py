"""The on-host agent program (`opencoc agent`): stdlib + httpx only."""
