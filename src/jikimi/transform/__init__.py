"""De-identification operators: each a small pure function over a value plus a key handle.

The FF1 cipher itself lives in :mod:`jikimi.transform.ff1`; the ``fpe`` operator built on it is
re-exported here with the others (see :mod:`jikimi.transform.operators`).
"""

from jikimi.transform.operators import *
from jikimi.transform.operators import __all__ as __all__
