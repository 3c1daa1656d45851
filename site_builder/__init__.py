"""microboard: a static site generator for micro-internship boards."""

__version__ = "0.1.0"
