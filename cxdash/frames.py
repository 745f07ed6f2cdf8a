"""How pandas holds the app's text, for the whole process: imported by cxdash.db (every page and command reads
through it) and cxdash.metrics, before they make any frame.

Text columns are NumPy object arrays, not pandas 3's default Arrow-backed strings. The app's frames are small (tens
to thousands of rows) and filtered, indexed and merged many times per page; on Arrow strings each of those steps
goes through pyarrow's compute kernels, which cost more than the work at this size. Measured (AppTest, a new
organisation, nothing cached, 10m demo): Insight 321 -> 239 ms, Peers 182 -> 127 ms, Overview 183 -> 145 ms.
The option is deprecated for pandas 4 (pinned at 3.1 in requirements.txt): measure again before upgrading.
Not set in cxdash/__init__.py: `python -m cxdash serve` starts the server before importing pandas.
"""

import warnings

import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
    pd.set_option("future.infer_string", False)
