"""Raptors: NumPy-compatible arrays with a fast C core.

The heavy lifting is in the C extension ``raptors._core``; this package gives it NumPy's names
and conveniences. Arrays exchange memory with NumPy without copying in both directions.
"""

import numpy as _np

from . import _core
from ._dtypes import DTYPES as _DTYPES, dtype, normalize as _normalize_dtype

ndarray = _core.ndarray

bool = _DTYPES[0]  # noqa: A001 - NumPy's name, shadowing the builtin inside this namespace only
int32 = _DTYPES[1]
int64 = _DTYPES[2]
float32 = _DTYPES[3]
float64 = _DTYPES[4]

_core._register(_DTYPES, _normalize_dtype, _np.exceptions.AxisError)

from . import _ndarray  # noqa: E402,F401 - attaches repr, tolist, pickling, flags to ndarray
from ._api import *  # noqa: E402,F401,F403
from ._api import __all__ as _api_all  # noqa: E402
from ._config import *  # noqa: E402,F401,F403
from ._config import __all__ as _config_all  # noqa: E402
from ._compute import *  # noqa: E402,F401,F403
from ._compute import __all__ as _compute_all  # noqa: E402

__all__ = ["ndarray", "dtype", "bool", "int32", "int64", "float32", "float64"] + _api_all
__all__ += _config_all + _compute_all
__version__ = "0.1.0"
