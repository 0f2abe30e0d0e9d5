"""Shape operations on the tape (concat, split, transpose, squeeze, expand_dims, tile, pad,
gather): values as numpy's, derivatives to second order against finite differences and
against autograd, with TensorFlow's arguments and errors.

The cases follow autograd's tests/test_numpy.py (test_simple_concatenate,
test_concatenate_axis_0, test_concatenate_axis_1, test_squeeze_func, test_expand_dims,
test_trace -- which is np.split --, test_index_lists, test_multi_index, test_multi_index2)
and tests/test_systematic.py (test_transpose over every permutation), and TensorFlow's
concat_op_test.py, split_op_test.py, pad_op_test.py (testSymmetric, testReflect),
gather_op_test.py (testBatchDims, testBadIndicesCPU) and tile tests.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from tape_checks import Case, case_id, check_autograd, check_finite_differences, check_values

import diffcompare.tape as dt
from diffcompare.errors import TapeIndexError, TapeValueError

rng = np.random.default_rng(11)
A = rng.standard_normal((3, 2, 2))
B = rng.standard_normal((2, 2, 2))
MAT = rng.standard_normal((3, 4))
CUBE = rng.standard_normal((2, 3, 4))


def _mirror(np_, x, pairs, symmetric):
    """np.pad's REFLECT or SYMMETRIC written with slices and concatenation, axis by axis
    (autograd has no pad)."""
    for axis, (before, after) in enumerate(pairs):
        x = np_.swapaxes(x, 0, axis)
        skip = 0 if symmetric else 1
        head = x[skip : skip + before][::-1]
        tail = x[len(x) - skip - after : len(x) - skip][::-1]
        x = np_.swapaxes(np_.concatenate([head, x, tail]), 0, axis)
    return x


def _constant_pad(np_, x, pairs, fill):
    for axis, (before, after) in enumerate(pairs):
        x = np_.swapaxes(x, 0, axis)
        rest = x.shape[1:]
        x = np_.concatenate([np.full((before, *rest), fill), x, np.full((after, *rest), fill)])
        x = np_.swapaxes(x, 0, axis)
    return x


CASES = [
    # autograd test_simple_concatenate, test_concatenate_axis_0, test_concatenate_axis_1
    Case(
        "concat_simple",
        lambda x: dt.concat([A, x], 0),
        lambda np_, x: np_.concatenate((A, x)),
        [B],
    ),
    Case(
        "concat_axis_0",
        lambda x, y: dt.concat([y, x, y], 0),
        lambda np_, x, y: np_.concatenate((y, x, y)),
        [B, B + 1.0],
    ),
    Case(
        "concat_axis_1_negative",
        lambda x, y: dt.concat([y, x, y], -2),
        lambda np_, x, y: np_.concatenate((y, x, y), axis=1),
        [B, B - 1.0],
    ),
    # autograd test_trace (np.split(x, 2)[0]) and tf split_op_test sizes with -1
    Case("split_even", lambda x: dt.split(x, 2)[0], lambda np_, x: x[:6], [MAT.ravel()]),
    Case(
        "split_sizes",
        lambda x: dt.split(x, [1, -1, 2], axis=1)[1] * dt.split(x, [1, -1, 2], axis=1)[2],
        lambda np_, x: x[:, 1:2] * x[:, 2:4],
        [MAT],
    ),
    # autograd test_systematic test_transpose: every permutation, and None
    *[
        Case(
            f"transpose_{''.join(map(str, perm))}",
            lambda x, perm=perm: dt.transpose(x, perm),
            lambda np_, x, perm=perm: np_.transpose(x, perm),
            [CUBE],
        )
        for perm in itertools.permutations(range(3))
    ],
    Case("transpose_none", lambda x: dt.transpose(x), lambda np_, x: np_.transpose(x), [CUBE]),
    Case(
        "transpose_negative_perm",
        lambda x: dt.transpose(x, [-1, 0, -2]),
        lambda np_, x: np_.transpose(x, (2, 0, 1)),
        [CUBE],
    ),
    # autograd test_squeeze_func, test_expand_dims
    Case(
        "squeeze",
        lambda x: dt.squeeze(x),
        lambda np_, x: np_.squeeze(x),
        [rng.standard_normal((5, 1, 4))],
    ),
    Case(
        "squeeze_axis",
        lambda x: dt.squeeze(x, [-1]),
        lambda np_, x: np_.reshape(x, (1, 3)),
        [rng.standard_normal((1, 3, 1))],
    ),
    Case(
        "expand_dims",
        lambda x: dt.expand_dims(x, 2),
        lambda np_, x: np_.expand_dims(x, 2),
        [rng.standard_normal((5, 1, 4))],
    ),
    Case(
        "expand_dims_negative",
        lambda x: dt.expand_dims(x, -1),
        lambda np_, x: np_.reshape(x, (3, 4, 1)),
        [MAT],
    ),
    Case("tile", lambda x: dt.tile(x, [2, 3]), lambda np_, x: np_.tile(x, (2, 3)), [MAT]),
    Case(
        "tile_cube", lambda x: dt.tile(x, [1, 2, 1]), lambda np_, x: np_.tile(x, (1, 2, 1)), [CUBE]
    ),
    # tf pad_op_test: CONSTANT with a value, REFLECT, SYMMETRIC (and mode case does not matter)
    Case(
        "pad_constant",
        lambda x: dt.pad(x, [[1, 2], [0, 3]], constant_values=1.5),
        lambda np_, x: _constant_pad(np_, x, [(1, 2), (0, 3)], 1.5),
        [MAT],
    ),
    Case(
        "pad_reflect",
        lambda x: dt.pad(x, [[2, 1], [3, 3]], "reflect"),
        lambda np_, x: _mirror(np_, x, [(2, 1), (3, 3)], symmetric=False),
        [MAT],
    ),
    Case(
        "pad_symmetric",
        lambda x: dt.pad(x, [[3, 3], [1, 4]], "SYMMETRIC"),
        lambda np_, x: _mirror(np_, x, [(3, 3), (1, 4)], symmetric=True),
        [MAT],
    ),
    # autograd test_index_lists, test_multi_index2 (repeated indices add up)
    Case(
        "gather_axis0_repeats",
        lambda x: dt.gather(x, [2, 0, 2]),
        lambda np_, x: x[[2, 0, 2]],
        [MAT],
    ),
    Case(
        "gather_axis1_matrix_indices",
        lambda x: dt.gather(x, [[2, 0], [1, 1]], axis=-2),
        lambda np_, x: x[:, np.array([[2, 0], [1, 1]])],
        [CUBE],
    ),
    Case(
        "gather_scalar_index",
        lambda x: dt.gather(x, 2, axis=1),
        lambda np_, x: x[:, 2],
        [MAT],
    ),
    # tf gather_op_test testBatchDims: batch_dims=1, axis=1
    Case(
        "gather_batch_dims",
        lambda x: dt.gather(x, [[0, 0, 1], [2, 1, 2]], axis=1, batch_dims=1),
        lambda np_, x: x[np.arange(2)[:, None], np.array([[0, 0, 1], [2, 1, 2]])],
        [CUBE],
    ),
    Case(
        "gather_batch_dims_later_axis",
        lambda x: dt.gather(x, [[3, 0], [1, 1]], axis=2, batch_dims=1),
        lambda np_, x: x[
            np.arange(2)[:, None, None],
            np.arange(3)[None, :, None],
            np.array([[3, 0], [1, 1]])[:, None, :],
        ],
        [CUBE],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_values_match_numpy(case: Case) -> None:
    check_values(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_derivatives_match_finite_differences(case: Case) -> None:
    check_finite_differences(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_derivatives_match_autograd(case: Case) -> None:
    pytest.importorskip("autograd")
    check_autograd(case)


def test_pad_matches_numpy_in_every_mode() -> None:
    for mode in ("constant", "reflect", "symmetric"):
        pairs = [[1, 1], [2, 0], [0, 3]]
        got = dt.pad(CUBE, pairs, mode.upper()).numpy()
        np.testing.assert_array_equal(got, np.pad(CUBE, pairs, mode=mode))


# -- TensorFlow's errors ---------------------------------------------------------------------


def test_concat_refuses_scalars_and_mismatched_shapes() -> None:
    with pytest.raises(TapeValueError, match="can't concatenate scalars"):
        dt.concat([1.0, 2.0], 0)
    with pytest.raises(TapeValueError, match="do not join along axis 0"):
        dt.concat([np.zeros((2, 3)), np.zeros((2, 4))], 0)
    with pytest.raises(TapeValueError, match="out of range"):
        dt.concat([np.zeros(2), np.zeros(2)], 1)


def test_split_sizes_must_add_up() -> None:
    with pytest.raises(TapeValueError, match="does not split evenly into 3"):
        dt.split(np.zeros(10), 3)
    with pytest.raises(TapeValueError, match="do not add up"):
        dt.split(np.zeros(10), [3, 3])
    with pytest.raises(TapeValueError, match="one -1"):
        dt.split(np.zeros(10), [-1, -1])
    assert [p.shape for p in dt.split(np.zeros((2, 10)), [3, -1], axis=-1)] == [(2, 3), (2, 7)]


def test_squeeze_of_an_axis_longer_than_one_is_refused() -> None:
    with pytest.raises(TapeValueError, match="its length is 3, not 1"):
        dt.squeeze(np.zeros((1, 3)), 1)


def test_expand_dims_takes_axes_up_to_rank() -> None:
    assert dt.expand_dims(MAT, 2).shape == (3, 4, 1)
    assert dt.expand_dims(MAT, -3).shape == (1, 3, 4)
    with pytest.raises(TapeValueError, match="out of range"):
        dt.expand_dims(MAT, 3)


def test_tile_needs_one_multiple_per_axis() -> None:
    with pytest.raises(TapeValueError, match="1 multiples given for a tensor of rank 2"):
        dt.tile(MAT, [2])


def test_pad_checks_its_paddings_and_mode() -> None:
    # tf pad_op_test testPaddingsDim / testInvalid (mirror paddings too large)
    with pytest.raises(TapeValueError, match="for each of the 2 axes"):
        dt.pad(MAT, [[1, 1]])
    with pytest.raises(TapeValueError, match="must not be negative"):
        dt.pad(MAT, [[1, -1], [0, 0]])
    with pytest.raises(TapeValueError, match="REFLECT paddings \\[3, 0\\] must be at most 2"):
        dt.pad(MAT, [[3, 0], [0, 0]], "REFLECT")
    with pytest.raises(TapeValueError, match="mode must be one of"):
        dt.pad(MAT, [[1, 1], [0, 0]], "WRAP")
    assert dt.pad(MAT, [[3, 0], [0, 0]], "SYMMETRIC").shape == (6, 4)


def test_gather_refuses_indices_out_of_range_as_tensorflow_on_a_cpu() -> None:
    # tf gather_op_test testBadIndicesCPU: "indices[1] = 7 is not in [0, 3)"
    with pytest.raises(TapeIndexError, match=r"indices\[1\] = 7 is not in \[0, 3\)"):
        dt.gather(MAT, [0, 7])
    with pytest.raises(TapeIndexError, match="not in"):
        dt.gather(MAT, [-1])
    with pytest.raises(TapeIndexError, match="whole numbers"):
        dt.gather(MAT, [0.5])


def test_gather_takes_indices_as_a_tensor() -> None:
    x = dt.Variable(MAT)
    with dt.GradientTape() as tape:
        y = dt.reduce_sum(dt.gather(x, dt.constant([1, 1])))
    assert tape.gradient(y, x).numpy().tolist() == [[0.0] * 4, [2.0] * 4, [0.0] * 4]


def test_the_gradient_of_an_index_adds_up_repeats_and_fills_slices() -> None:
    # autograd test_numpy.py test_multi_index, test_index_slice
    x = dt.Variable(np.arange(5.0))
    with dt.GradientTape(persistent=True) as tape:
        twice = dt.reduce_sum(x[[0, 0, 3]])
        sliced = dt.reduce_sum(x[::-2] * np.array([1.0, 2.0, 3.0]))
        negative_step = x[..., 4:0:-3]
    assert tape.gradient(twice, x).numpy().tolist() == [2.0, 0.0, 0.0, 1.0, 0.0]
    assert tape.gradient(sliced, x).numpy().tolist() == [3.0, 0.0, 2.0, 0.0, 1.0]
    assert tape.gradient(negative_step, x).numpy().tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]
