"""Every row of the bad-input table (scripts/errors_table.py, rendered in docs/errors.md) gets
NumPy's behaviour from Raptors: the same exception family, or the same values and warnings when
NumPy does not raise. Rows whose Raptors feature is not there yet are skipped; documented design
differences are checked as documented; known bugs are strict expected failures, so a fix must
also update the table. Finally, docs/errors.md must be what the script generates now.
"""

import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import errors_table  # noqa: E402

ROWS = [row for rows in errors_table.SECTIONS.values() for row in rows]


def row_param(row):
    marks = []
    missing = errors_table.missing_features(row)
    if missing:
        marks.append(pytest.mark.skip(reason=f"pending: raptors has no {', '.join(missing)} yet"))
    if row.known:
        marks.append(pytest.mark.xfail(strict=True, reason=f"known bug {row.known}"))
    return pytest.param(row, marks=marks, id=row.code)


@pytest.mark.parametrize("row", [row_param(row) for row in ROWS])
def test_raptors_behaves_like_numpy(row):
    expected = errors_table.run(row, np)
    got = errors_table.run(row, errors_table.rp)
    if row.differs:
        assert got.error is not None and type(got.error).__name__ == row.differs[0], (
            f"documented: {row.differs[0]}; got {errors_table.describe(got, True)}")
        return
    if expected.error is not None:
        family = errors_table.exception_family(expected.error)
        assert got.error is not None, f"NumPy raised {family.__name__}; Raptors did not"
        assert isinstance(got.error, family), (
            f"NumPy raised {type(expected.error).__name__}; Raptors raised "
            f"{type(got.error).__name__}: {got.error}")
        return
    assert got.error is None, f"NumPy succeeded; Raptors raised {got.error!r}"
    if isinstance(expected.value, np.ndarray):
        assert isinstance(got.value, np.ndarray), f"expected an array, got {got.value!r}"
        assert got.value.shape == expected.value.shape and got.value.dtype == expected.value.dtype
        assert np.array_equal(got.value, expected.value,
                              equal_nan=expected.value.dtype.kind == "f")
    else:
        assert got.value == expected.value or (got.value != got.value and
                                               expected.value != expected.value)
    assert got.warnings == expected.warnings


def test_errors_doc_is_current():
    with open(os.path.join(ROOT, "docs", "errors.md")) as handle:
        written = handle.read()
    assert written == errors_table.markdown(), (
        "docs/errors.md is out of date: run `python scripts/errors_table.py --write` from the "
        "repository root (with raptors installed) and commit it")
