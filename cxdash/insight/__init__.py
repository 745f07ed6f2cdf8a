"""Insight beyond charts: what drives the outcomes (drivers), what people write about (themes), and one
prioritised list of what to fix first (priorities). The methods are described in docs/insight.md."""
