"""OpenCOC: a self-hostable Cloud Operations Center, wire-compatible with Huawei Cloud COC."""

__version__ = "0.1.0"
