"""Attributes against NumPy over strided views: shape, ndim, size, itemsize, nbytes, strides,
T, flags (object and methods), base."""

import numpy as np
import pytest
from hypothesis import given, settings

import raptors as rp
from array_strategies import assert_same_layout, layout, strided_views

SETTINGS = settings(max_examples=80, deadline=None)


@SETTINGS
@given(strided_views())
def test_basic_attributes_match_numpy(views):
    x, r = views
    assert r.shape == x.shape and r.ndim == x.ndim and r.size == x.size
    assert r.itemsize == x.itemsize and r.nbytes == x.nbytes
    assert layout(r) == layout(x)
    assert_same_layout(r.T, x.T)
    assert r.T.base is (r.base if r.base is not None else r)


@SETTINGS
@given(strided_views())
def test_flags_match_numpy(views):
    x, r = views
    for key in ("C_CONTIGUOUS", "F_CONTIGUOUS", "WRITEABLE", "ALIGNED", "C", "F", "W"):
        assert r.flags[key] == x.flags[key], key
    assert r.flags.c_contiguous == x.flags.c_contiguous == r.is_c_contiguous()
    assert r.flags.f_contiguous == x.flags.f_contiguous == r.is_f_contiguous()
    assert r.flags.writeable and not r.flags.owndata and not r.flags.writebackifcopy
    assert repr(r.flags).splitlines()[:2] == repr(x.flags).splitlines()[:2]


def test_owndata_and_base_follow_numpy():
    a = rp.zeros((3, 4))
    assert a.flags.owndata and a.flags["OWNDATA"] and a.base is None
    view = a[1:, ::2]
    assert not view.flags.owndata and view.base is a
    assert view[0].base is a  # bases collapse to the owner, as in NumPy
    assert a.reshape(12).base is a and a.T.base is a and a.ravel().base is a
    copy = a.copy()
    assert copy.base is None and copy.flags.owndata
    flat = a.T.flatten()
    assert flat.base is None and flat.flags.owndata


def test_writeable_flag_can_be_cleared_and_restored_on_owners_only():
    a = rp.arange(4)
    a.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 5
    view = a[1:]
    assert not view.flags.writeable
    with pytest.raises(ValueError):
        view.flags.writeable = True
    a.flags["WRITEABLE"] = True
    a[0] = 5
    assert a.tolist() == [5, 1, 2, 3]
    with pytest.raises(KeyError):
        a.flags["NOT_A_FLAG"]
    with pytest.raises(KeyError):
        a.flags["C_CONTIGUOUS"] = False


def test_read_only_numpy_source_stays_read_only():
    x = np.arange(6.0)
    x.flags.writeable = False
    r = rp.asarray(x)
    assert not r.flags.writeable
    with pytest.raises(ValueError):
        r.flags.writeable = True
