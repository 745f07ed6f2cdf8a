"""cxdash: customer-experience maturity dashboard for public services."""

import warnings

import pandas as pd

__version__ = "0.1.0"

# Text columns as NumPy object arrays, not pandas 3's default Arrow-backed strings. The app's frames are small
# (tens to thousands of rows) and filtered, indexed and merged many times per page; on Arrow strings each of those
# steps goes through pyarrow's compute kernels, which cost more than the work at this size. Measured (AppTest,
# new organisation, nothing cached, 10m demo): Insight 321 -> 239 ms, Peers 182 -> 127 ms, Overview 183 -> 145 ms.
# The option is deprecated for pandas 4 (pinned at 3.1 in requirements.txt): measure again before upgrading.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
    pd.set_option("future.infer_string", False)
