"""cxdash: customer-experience maturity dashboard for public services."""

__version__ = "0.1.0"
