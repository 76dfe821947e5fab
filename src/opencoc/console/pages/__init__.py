"""One module per page family, each with its `router`; console/site.py lists them."""
