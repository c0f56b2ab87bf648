import numpy as np
import raptors as rp


def test_from_numpy_shares_memory():
    x = np.arange(12.0).reshape(3, 4)
    a = rp.from_numpy(x)
    a[1, 2] = 100.0
    assert x[1, 2] == 100.0
    np.testing.assert_array_equal(rp.to_numpy(a[::-1, 1::2]), x[::-1, 1::2])
