"""Parity with torch for the nn.functional layer ops: padding, convolution, pooling, unfold/fold, interpolation,
normalization. Values, gradients, second-order gradients, node names and error messages."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import check, expect_error, torch

import chainrule
import chainrule.nn.functional  # chainrule.nn, as torch.nn, is a submodule

R = np.random.default_rng(7)


def rn(*shape, dtype=np.float64):
    return R.standard_normal(shape).astype(dtype)


def F(m):
    return m.nn.functional


X = rn(2, 3, 5, 5)
X32 = X.astype(np.float32)
X1 = rn(2, 3, 7)
W = rn(4, 3, 3, 3)
W1 = rn(4, 3, 3)
B4 = rn(4)
WT = rn(3, 2, 3, 3)  # conv_transpose: (in, out/groups, k, k)
B2 = rn(2)
C3 = rn(3)
E = np.zeros((0, 3, 5, 5))
NO2 = dict(grad2=False)

# ---- padding ---------------------------------------------------------------------------------------------
PAD = [
    pytest.param(lambda m, x: F(m).pad(x, (1, 2)), (X,), {}, id="pad:constant_1d"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 2, 0, 1), value=0.5), (X,), {}, id="pad:constant_value"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 1, 1, 1, 1, 1, 1, 1)), (X,), {}, id="pad:constant_all_dims"),
    pytest.param(lambda m, x: F(m).pad(x, (-1, 2, 1, -2)), (X,), {}, id="pad:negative_crops"),
    pytest.param(lambda m, x: F(m).pad(x, (-1, -2)), (X,), {}, id="pad:only_negative"),
    pytest.param(lambda m, x: F(m).pad(x, (0, 0)), (X,), {}, id="pad:zero"),
    pytest.param(lambda m, x: F(m).pad(x, (2, 1, 1, 3), mode="reflect"), (X,), {}, id="pad:reflect_2d"),
    pytest.param(lambda m, x: F(m).pad(x, (4, 1)), (X1,), {}, id="pad:constant_3d_input"),
    pytest.param(lambda m, x: F(m).pad(x, (4, 3), mode="reflect"), (X1,), {}, id="pad:reflect_1d"),
    pytest.param(lambda m, x: F(m).pad(x, (2, 1), mode="reflect"), (X1[0],), {}, id="pad:reflect_1d_unbatched"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 2, 0, 1, 2, 1), mode="reflect"), (X,), {}, id="pad:reflect_3d"),
    pytest.param(lambda m, x: F(m).pad(x, (-1, 2, 1, 0), mode="reflect"), (X,), {}, id="pad:reflect_negative"),
    pytest.param(lambda m, x: F(m).pad(x, (3, 1, 0, 2), mode="replicate"), (X,), {}, id="pad:replicate_2d"),
    pytest.param(lambda m, x: F(m).pad(x, (3, 1), mode="replicate"), (X1,), {}, id="pad:replicate_1d"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 1, 2, 0, 1, 1), mode="replicate"), (X,), {}, id="pad:replicate_3d"),
    pytest.param(lambda m, x: F(m).pad(x, (-2, 1, 1, -1), mode="replicate"), (X,), {}, id="pad:replicate_negative"),
    pytest.param(lambda m, x: F(m).pad(x, (2, 1, 1, 3), mode="circular"), (X,), {}, id="pad:circular_2d"),
    pytest.param(lambda m, x: F(m).pad(x, (5, 2), mode="circular"), (X1,), {}, id="pad:circular_1d"),
    pytest.param(lambda m, x: F(m).pad(x, (-1, 2, 2, -1), mode="circular"), (X,), {}, id="pad:circular_negative"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 1, 1, 1, 1, 1), mode="circular"), (X,), {}, id="pad:circular_3d"),
    pytest.param(lambda m, x: F(m).pad(x.transpose(-1, -2)[..., ::2], (1, 2, 2, 1), mode="reflect"), (X,), {},
                 id="pad:non_contiguous"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 2, 1, 1), mode="replicate"), (X32,), {}, id="pad:float32"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 2), value=1.5), (np.arange(6).reshape(2, 3),), {},
                 id="pad:int_value"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 1, 1, 1), mode="reflect"), (E,), {}, id="pad:empty_batch"),
    pytest.param(lambda m, x: F(m).pad(x, (-5, 0, 1, 0), mode="reflect"), (X,), {}, id="pad:reflect_crop_to_empty"),
    pytest.param(lambda m, x: m.constant_pad_nd(x, (1, 2, -1, 0), 2.0), (X,), {}, id="constant_pad_nd:basic"),
]

# ---- convolution -------------------------------------------------------------------------------------------
CONV = [
    pytest.param(lambda m, x, w, b: F(m).conv2d(x, w, b), (X, W, B4), {}, id="conv2d:bias"),
    pytest.param(lambda m, x, w: F(m).conv2d(x, w), (X, W), {}, id="conv2d:no_bias"),
    pytest.param(lambda m, x, w, b: F(m).conv2d(x, w, b, stride=2, padding=1), (X, W, B4), {},
                 id="conv2d:stride_padding"),
    pytest.param(lambda m, x, w: F(m).conv2d(x, w, stride=(2, 1), padding=(2, 0), dilation=(2, 1)), (X, W), {},
                 id="conv2d:tuples_dilation"),
    pytest.param(lambda m, x, w: F(m).conv2d(x, w, padding="same", dilation=2), (X, W), {}, id="conv2d:same"),
    pytest.param(lambda m, x, w: F(m).conv2d(x, w, padding="same"), (X, rn(2, 3, 2, 3)), {},
                 id="conv2d:same_even_kernel"),
    pytest.param(lambda m, x, w: F(m).conv2d(x, w, padding="valid"), (X, W), {}, id="conv2d:valid"),
    pytest.param(lambda m, x, w, b: F(m).conv2d(x, w, b, groups=3), (rn(2, 6, 4, 4), rn(3, 2, 2, 2), C3), {},
                 id="conv2d:groups"),
    pytest.param(lambda m, x, w: F(m).conv2d(x, w, groups=3, stride=2, padding=1), (rn(1, 3, 5, 5), rn(6, 1, 3, 3)),
                 {}, id="conv2d:depthwise"),
    pytest.param(lambda m, x, w, b: F(m).conv2d(x, w, b, padding=1), (X[0], W, B4), {}, id="conv2d:unbatched"),
    pytest.param(lambda m, x, w: F(m).conv2d(x.transpose(-1, -2), w[:, :, ::2]), (X, rn(4, 3, 5, 2)), {},
                 id="conv2d:non_contiguous"),
    pytest.param(lambda m, x, w, b: F(m).conv2d(x, w, b, stride=2, padding=1),
                 (X32, W.astype(np.float32), B4.astype(np.float32)), {}, id="conv2d:float32"),
    pytest.param(lambda m, x, w: F(m).conv2d(x, w), (E, W), {}, id="conv2d:empty_batch"),
    pytest.param(lambda m, x, w: F(m).conv2d(x, w, padding=1),
                 (np.arange(50).reshape(1, 2, 5, 5), np.arange(-9, 9).reshape(1, 2, 3, 3)), {}, id="conv2d:int64"),
    pytest.param(lambda m, x, w, b: m.conv2d(x, w, b, 1, 1), (X, W, B4), {}, id="conv2d:torch_namespace"),
    pytest.param(lambda m, x, w, b: F(m).conv1d(x, w, b, stride=2, padding=1), (X1, W1, B4), {}, id="conv1d:basic"),
    pytest.param(lambda m, x, w: F(m).conv1d(x, w, padding="same", dilation=3), (X1, W1), {}, id="conv1d:same"),
    pytest.param(lambda m, x, w: F(m).conv1d(x, w, groups=3), (X1, rn(3, 1, 2)), {}, id="conv1d:groups"),
    pytest.param(lambda m, x, w: F(m).conv1d(x, w), (X1[0], W1), {}, id="conv1d:unbatched"),
    pytest.param(lambda m, x, w: F(m).conv3d(x, w, padding=1, stride=2), (rn(1, 2, 3, 4, 3), rn(2, 2, 2, 2, 2)), {},
                 id="conv3d:basic"),
    pytest.param(lambda m, x, w, b: F(m).conv_transpose2d(x, w, b), (X, WT, B2), {}, id="conv_transpose2d:bias"),
    pytest.param(lambda m, x, w: F(m).conv_transpose2d(x, w, stride=2, padding=1, output_padding=1), (X, WT), {},
                 id="conv_transpose2d:stride_output_padding"),
    pytest.param(lambda m, x, w, b: F(m).conv_transpose2d(x, w, b, stride=(2, 1), groups=3, dilation=(1, 2)),
                 (rn(1, 3, 3, 3), rn(3, 2, 2, 2), rn(6)), {}, id="conv_transpose2d:groups_dilation"),
    pytest.param(lambda m, x, w: F(m).conv_transpose2d(x, w, padding=2, dilation=2, output_padding=1),
                 (rn(1, 3, 3, 3), WT), {}, id="conv_transpose2d:output_padding_by_dilation"),
    pytest.param(lambda m, x, w: F(m).conv_transpose2d(x, w, stride=2), (X[0], WT), {},
                 id="conv_transpose2d:unbatched"),
    pytest.param(lambda m, x, w: F(m).conv_transpose2d(x, w, stride=2, padding=1),
                 (X32, WT.astype(np.float32)), {}, id="conv_transpose2d:float32"),
    pytest.param(lambda m, x, w, b: F(m).conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2),
                 (X1, rn(3, 2, 3), B2), {}, id="conv_transpose1d:basic"),
    pytest.param(lambda m, x, w, b: m.convolution(x, w, b, (1, 2), (1, 0), (1, 1), True, (0, 1), 1),
                 (X, WT, B2), {}, id="convolution:transposed"),
]

# ---- pooling ---------------------------------------------------------------------------------------------
TIES = np.array([[[[1., 1., 2., 2.], [1., 0., 2., 2.], [3., 3., 0., 5.], [3., 3., 5., 5.]]]])
NEG_INF = np.array([[[[-np.inf, -np.inf, 1.], [-np.inf, -np.inf, 2.], [0., 1., 2.]]]])
POOL = [
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2), (X,), {}, id="max_pool2d:basic"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 3, 2, 1, return_indices=True), (X,), {}, id="max_pool2d:indices"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, (3, 2), (2, 1), (1, 0), ceil_mode=True, return_indices=True),
                 (X,), {}, id="max_pool2d:ceil_mode"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2, 1, 1, dilation=2, return_indices=True), (X,), {},
                 id="max_pool2d:dilation"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2, return_indices=True), (TIES,), dict(gradcheck=False),
                 id="max_pool2d:ties_first"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2, 1, 1, return_indices=True), (NEG_INF,), dict(gradcheck=False),
                 id="max_pool2d:all_minus_inf_window"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2), (X[0],), {}, id="max_pool2d:unbatched"),
    pytest.param(lambda m, x: F(m).max_pool2d(x.transpose(-1, -2)[..., ::2, :], 2, 1), (X,), {},
                 id="max_pool2d:non_contiguous"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 3, 2, 1, return_indices=True), (X32,), {}, id="max_pool2d:float32"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2), (E,), {}, id="max_pool2d:empty_batch"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2), (np.arange(50).reshape(2, 1, 5, 5) % 7,), {},
                 id="max_pool2d:int64"),
    pytest.param(lambda m, x: m.max_pool2d(x, 2, 1), (X,), {}, id="max_pool2d:torch_namespace"),
    pytest.param(lambda m, x: F(m).max_pool1d(x, 3, 2, 1, return_indices=True), (X1,), {}, id="max_pool1d:basic"),
    pytest.param(lambda m, x: F(m).max_pool1d(x, 2, ceil_mode=True), (X1[0],), {}, id="max_pool1d:unbatched_ceil"),
    pytest.param(lambda m, x: F(m).max_pool3d(x, 2, 1, return_indices=True), (rn(1, 2, 3, 4, 3),), {},
                 id="max_pool3d:basic"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 2), (X,), {}, id="avg_pool2d:basic"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 3, 2, 1, ceil_mode=True), (X,), {}, id="avg_pool2d:ceil_pad"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), (X,), {},
                 id="avg_pool2d:exclude_pad"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, (2, 3), (1, 2), (1, 1), divisor_override=4), (X,), {},
                 id="avg_pool2d:divisor_override"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x.transpose(-1, -2), 2), (X,), {}, id="avg_pool2d:non_contiguous"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 2, 1), (X32[0],), {}, id="avg_pool2d:float32_unbatched"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 2, 1), (np.arange(-25, 25).reshape(2, 1, 5, 5),), {},
                 id="avg_pool2d:int64_truncates"),
    pytest.param(lambda m, x: F(m).avg_pool1d(x, 3, 2, 1, count_include_pad=False), (X1,), {},
                 id="avg_pool1d:basic"),
    pytest.param(lambda m, x: F(m).avg_pool3d(x, 2, 1, 1), (rn(1, 2, 3, 4, 3),), {}, id="avg_pool3d:basic"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, (2, 3)), (X,), {}, id="adaptive_avg_pool2d:basic"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, 5), (X,), {}, id="adaptive_avg_pool2d:identity_size"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, (1, 1)), (X,), {}, id="adaptive_avg_pool2d:one_is_mean"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, (None, 3)), (X[0],), {}, id="adaptive_avg_pool2d:none"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, 3), (X32,), {}, id="adaptive_avg_pool2d:float32"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool1d(x, 3), (X1,), {}, id="adaptive_avg_pool1d:basic"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool3d(x, (2, None, 3)), (rn(1, 2, 3, 4, 5),), {},
                 id="adaptive_avg_pool3d:basic"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool3d(x, 1), (rn(2, 3, 4, 5),), {}, id="adaptive_avg_pool3d:mean"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool1d(x, 1), (X1,), {}, id="adaptive_avg_pool1d:one"),
    pytest.param(lambda m, x: F(m).adaptive_max_pool2d(x, (2, 3), return_indices=True), (X,), {},
                 id="adaptive_max_pool2d:basic"),
    pytest.param(lambda m, x: F(m).adaptive_max_pool2d(x, 2), (TIES[0],), dict(gradcheck=False),
                 id="adaptive_max_pool2d:ties"),
    pytest.param(lambda m, x: F(m).adaptive_max_pool1d(x, 3, return_indices=True), (X1,), {},
                 id="adaptive_max_pool1d:basic"),
]

# ---- unfold / fold, interpolation ---------------------------------------------------------------------------
RESAMPLE = [
    pytest.param(lambda m, x: F(m).unfold(x, 2), (X,), {}, id="unfold:basic"),
    pytest.param(lambda m, x: F(m).unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=2), (X,), {},
                 id="unfold:all_args"),
    pytest.param(lambda m, x: F(m).unfold(x, 2), (X[0],), {}, id="unfold:unbatched"),
    pytest.param(lambda m, x: F(m).unfold(x.transpose(-1, -2), 3), (X32,), {}, id="unfold:float32_transposed"),
    pytest.param(lambda m, x: F(m).fold(x, (5, 5), 2), (rn(2, 12, 16),), {}, id="fold:basic"),
    pytest.param(lambda m, x: F(m).fold(x, (5, 4), (2, 3), padding=1, stride=2), (rn(12, 6),), {},
                 id="fold:unbatched_all_args"),
    pytest.param(lambda m, x: F(m).fold(F(m).unfold(x, 3, dilation=2, padding=2), (5, 5), 3, dilation=2, padding=2),
                 (X,), {}, id="fold:of_unfold"),
]
for _mode in ("nearest", "nearest-exact", "bilinear"):
    _acs = (None,) if _mode.startswith("nearest") else (False, True)
    for _ac in _acs:
        for _kw, _name in ((dict(scale_factor=2), "x2"), (dict(size=(7, 3)), "size"),
                           (dict(scale_factor=(1.5, 0.7)), "scale_tuple"), (dict(size=5), "same_size"),
                           (dict(scale_factor=1.7, recompute_scale_factor=True), "recompute")):
            RESAMPLE.append(pytest.param(
                lambda m, x, _mode=_mode, _ac=_ac, _kw=_kw: F(m).interpolate(x, mode=_mode, align_corners=_ac, **_kw),
                (X,), {}, id=f"interpolate:{_mode}_{_name}" + ("_align" if _ac else "")))
RESAMPLE += [
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=1.7, mode="linear"), (X1,), {},
                 id="interpolate:linear"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=4, mode="linear", align_corners=True), (X1,), {},
                 id="interpolate:linear_align"),
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=2.5), (X1,), {}, id="interpolate:nearest_1d"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(3, 4, 2), mode="trilinear"), (rn(1, 2, 2, 3, 3),), {},
                 id="interpolate:trilinear"),
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=2), (rn(1, 2, 2, 3, 3),), {},
                 id="interpolate:nearest_3d"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(3, 2), mode="area"), (X,), {}, id="interpolate:area"),
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=0.6, mode="area"), (rn(1, 2, 3, 4, 5),), {},
                 id="interpolate:area_3d"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(7, 3), mode="bicubic"), (X,), {}, id="interpolate:bicubic"),
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=1.5, mode="bicubic", align_corners=True), (X,), {},
                 id="interpolate:bicubic_align"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(3, 8), mode="bilinear", antialias=True), (X,), {},
                 id="interpolate:bilinear_antialias"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(2, 6), mode="bicubic", antialias=True, align_corners=True),
                 (X,), {}, id="interpolate:bicubic_antialias_align"),
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=0.5, mode="bilinear", antialias=True), (X32,), {},
                 id="interpolate:antialias_float32"),
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=1.3, mode="bilinear"), (X32,), {},
                 id="interpolate:bilinear_float32"),
    pytest.param(lambda m, x: F(m).interpolate(x.transpose(-1, -2), size=(6, 7), mode="bilinear"), (X,), {},
                 id="interpolate:non_contiguous"),
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=2), (E,), {}, id="interpolate:empty_batch"),
]

# ---- normalization -----------------------------------------------------------------------------------------
RM, RV = np.array([0.1, -0.2, 0.3]), np.array([1.0, 0.5, 2.0])
NORM = [
    pytest.param(lambda m, x: F(m).layer_norm(x, (5,)), (X,), {}, id="layer_norm:basic"),
    pytest.param(lambda m, x, w, b: F(m).layer_norm(x, (5, 5), w, b, eps=1e-3), (X, rn(5, 5), rn(5, 5)), {},
                 id="layer_norm:affine_eps"),
    pytest.param(lambda m, x, w: F(m).layer_norm(x, [5], w), (X, rn(5)), {}, id="layer_norm:weight_only"),
    pytest.param(lambda m, x, b: F(m).layer_norm(x, (5,), None, b), (X, rn(5)), NO2,  # torch's double backward
                 id="layer_norm:bias_only"),                                                # fails without weight
    pytest.param(lambda m, x, w, b: F(m).layer_norm(x.transpose(0, 2), (2, 5), w, b), (X, rn(2, 5), rn(2, 5)), {},
                 id="layer_norm:non_contiguous"),
    pytest.param(lambda m, x, w, b: F(m).layer_norm(x, (5,), w, b), (X32, rn(5, dtype=np.float32),
                                                                     rn(5, dtype=np.float32)), {},
                 id="layer_norm:float32"),
    pytest.param(lambda m, x: m.layer_norm(x, (4,)), (rn(3, 4),), {}, id="layer_norm:torch_namespace"),
    pytest.param(lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, training=True), (X, C3, rn(3)), {},
                 id="batch_norm:train"),
    pytest.param(lambda m, x, w, b: F(m).batch_norm(x, m.tensor(RM), m.tensor(RV), w, b, training=True),
                 (X, C3, rn(3)), {}, id="batch_norm:train_running_stats"),
    pytest.param(lambda m, x: F(m).batch_norm(x, None, None, training=True), (rn(4, 3),), {},
                 id="batch_norm:train_2d"),
    pytest.param(lambda m, x, w, b: F(m).batch_norm(x, m.tensor(RM), m.tensor(RV), w, b), (X, C3, rn(3)), {},
                 id="batch_norm:eval"),
    pytest.param(lambda m, x: F(m).batch_norm(x, m.tensor(RM), m.tensor(RV)), (X1,), {}, id="batch_norm:eval_1d"),
    pytest.param(lambda m, x, w, b: F(m).batch_norm(x.transpose(-1, -2), None, None, w, b, training=True),
                 (X32, C3.astype(np.float32), C3.astype(np.float32)), {}, id="batch_norm:float32_transposed"),
    pytest.param(lambda m, x, w, b: m.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False), (X, C3, rn(3)), {},
                 id="batch_norm:torch_namespace"),
    pytest.param(lambda m, x, w, b: F(m).group_norm(x, 3, w, b), (rn(2, 6, 3, 2), rn(6), rn(6)), {},
                 id="group_norm:affine"),
    pytest.param(lambda m, x: F(m).group_norm(x, 1, eps=1e-2), (X,), {}, id="group_norm:one_group"),
    pytest.param(lambda m, x, w: F(m).group_norm(x, 3, w), (X1, C3), {}, id="group_norm:per_channel_1d"),
    pytest.param(lambda m, x: F(m).group_norm(x, 2), (rn(3, 4),), {}, id="group_norm:2d_input"),
    pytest.param(lambda m, x: F(m).group_norm(x.transpose(-1, -2), 3), (X32,), {}, id="group_norm:float32"),
    pytest.param(lambda m, x: F(m).instance_norm(x), (X,), {}, id="instance_norm:basic"),
    pytest.param(lambda m, x, w, b: F(m).instance_norm(x, weight=w, bias=b), (X1, C3, rn(3)), {},
                 id="instance_norm:affine"),
]

# ---- embedding_bag ---------------------------------------------------------------------------------------------
EW = rn(6, 3)
BAGS2, BAGS1, OFFS = np.array([[0, 1, 1], [4, 2, 0]]), np.array([0, 1, 1, 4, 2, 0, 3, 5]), np.array([0, 2, 2, 5])
FREQ = dict(gradcheck=False)  # scale_grad_by_freq scales on purpose: not the true gradient
BAG = [
    pytest.param(lambda m, w, i, _m=_m: F(m).embedding_bag(i, w, mode=_m), (EW, BAGS2), {},
                 id=f"embedding_bag:{_m}_2d") for _m in ("sum", "mean", "max")
] + [
    pytest.param(lambda m, w, i, o, _m=_m: F(m).embedding_bag(i, w, o, mode=_m), (EW, BAGS1, OFFS), {},
                 id=f"embedding_bag:{_m}_offsets_empty_bag") for _m in ("sum", "mean", "max")
] + [
    pytest.param(lambda m, w, i, o, _m=_m: F(m).embedding_bag(i, w, o, mode=_m, include_last_offset=True),
                 (EW, BAGS1, OFFS), {}, id=f"embedding_bag:{_m}_include_last_offset") for _m in ("sum", "max")
] + [
    pytest.param(lambda m, w, i, o, _m=_m: F(m).embedding_bag(i, w, o, mode=_m, padding_idx=-6), (EW, BAGS1, OFFS),
                 {}, id=f"embedding_bag:{_m}_padding_idx") for _m in ("sum", "mean", "max")
] + [
    pytest.param(lambda m, w, i, o, p: F(m).embedding_bag(i, w, o, mode="sum", per_sample_weights=p, padding_idx=1),
                 (EW, BAGS1, OFFS, R.random(8)), NO2, id="embedding_bag:per_sample_weights"),
    pytest.param(lambda m, w, i, o: F(m).embedding_bag(i, w, o, scale_grad_by_freq=True, padding_idx=0),
                 (EW, BAGS1, OFFS), FREQ, id="embedding_bag:scale_grad_by_freq_mean"),
    pytest.param(lambda m, w, i: F(m).embedding_bag(i, w, mode="sum", scale_grad_by_freq=True), (EW, BAGS2), FREQ,
                 id="embedding_bag:scale_grad_by_freq_sum"),
    pytest.param(lambda m, w, i: F(m).embedding_bag(i, w, mode="max"), (np.array([[1., 2.], [1., 3.], [0., 3.]]),
                                                                        np.array([[0, 1, 2]])), dict(gradcheck=False),
                 id="embedding_bag:max_ties_first"),
    pytest.param(lambda m, w, i: F(m).embedding_bag(i, w * 1, mode="sum", max_norm=1.0), (EW, BAGS2),
                 dict(gradcheck=False), id="embedding_bag:max_norm"),
    pytest.param(lambda m, w, i: F(m).embedding_bag(i, w), (EW.astype(np.float32), BAGS2.astype(np.int32)), {},
                 id="embedding_bag:float32_int32"),
]


@pytest.mark.parametrize("fn,args,opts", PAD + CONV + POOL + RESAMPLE + NORM + BAG)
def test_parity(fn, args, opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's padding='same' warning
        check(fn, *args, **opts)


# ---- node names ----------------------------------------------------------------------------------------------
def _chain(t, depth=5):
    """Node names along first edges, as torch's grad_fn.next_functions chain."""
    names, f = [], t.grad_fn
    while f is not None and depth:
        names.append(type(f).__name__)
        nxt = [n for n, _ in f.next_functions if n is not None]
        f, depth = (nxt[0] if nxt else None), depth - 1
    return names


def _first(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("fn,args,opts", PAD + CONV + POOL + RESAMPLE + NORM + BAG)
def test_node_names(fn, args, opts, request):
    outs = []
    for m in (chainrule, torch):
        ins = [m.tensor(a).requires_grad_() if a.dtype.kind == "f" else m.tensor(a) for a in args]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs.append(_first(fn(m, *ins)))
    if "circular" in request.node.callspec.id:
        assert _chain(outs[1])[0] == "CopySlices"  # torch copies into slices; chainrule concatenates
        return
    assert _chain(outs[0]) == _chain(outs[1])


# ---- running statistics ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_running_stats_update(momentum):
    res = []
    for m in (chainrule, torch):
        rm, rv = m.tensor(RM.copy()), m.tensor(RV.copy())
        F(m).batch_norm(m.tensor(X), rm, rv, training=True, momentum=momentum)
        F(m).batch_norm(m.tensor(X * 2 + 1), rm, rv, training=True, momentum=momentum)
        res.append((rm.numpy(), rv.numpy(), rm._version))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12)
    assert res[0][2] == res[1][2]


def test_batch_norm_eval_leaves_stats():
    rm, rv = chainrule.tensor(RM.copy()), chainrule.tensor(RV.copy())
    F(chainrule).batch_norm(chainrule.tensor(X), rm, rv)
    assert np.array_equal(rm.numpy(), RM) and np.array_equal(rv.numpy(), RV)


def test_instance_norm_running_stats_update():
    res = []
    for m in (chainrule, torch):
        rm, rv = m.tensor(RM.copy()), m.tensor(RV.copy())
        out = F(m).instance_norm(m.tensor(X), rm, rv, use_input_stats=True, momentum=0.3)
        res.append((rm.numpy(), rv.numpy(), out.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_max_pool_indices_are_torch_ints():
    _, idx = F(chainrule).max_pool2d(chainrule.tensor(X), 3, 2, 1, return_indices=True)
    _, ti = F(torch).max_pool2d(torch.tensor(X), 3, 2, 1, return_indices=True)
    assert idx.dtype == chainrule.int64 and np.array_equal(idx.numpy(), ti.numpy())


# ---- random shapes -------------------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 2), cg=st.integers(1, 2), og=st.integers(1, 2), groups=st.integers(1, 2),
       h=st.integers(3, 6), w=st.integers(3, 6), k=st.integers(1, 3), stride=st.integers(1, 2),
       padding=st.integers(0, 1), dilation=st.integers(1, 2), transposed=st.booleans())
def test_conv2d_random_shapes(n, cg, og, groups, h, w, k, stride, padding, dilation, transposed):
    if (h + 2 * padding < dilation * (k - 1) + 1) or (w + 2 * padding < dilation * (k - 1) + 1):
        return
    rng = np.random.default_rng(h * 100 + w)
    x = rng.standard_normal((n, cg * groups, h, w))
    if transposed:
        wt = rng.standard_normal((cg * groups, og, k, k))
        fn = lambda m, x, wt: F(m).conv_transpose2d(x, wt, stride=stride, padding=min(padding, k - 1),
                                                    groups=groups, dilation=dilation)
    else:
        wt = rng.standard_normal((og * groups, cg, k, k))
        fn = lambda m, x, wt: F(m).conv2d(x, wt, stride=stride, padding=padding, groups=groups,
                                          dilation=dilation)
    check(fn, x, wt, gradcheck=False)


@settings(max_examples=15, deadline=None)
@given(h=st.integers(2, 7), w=st.integers(2, 7), k=st.integers(1, 3), stride=st.integers(1, 3),
       ceil=st.booleans(), avg=st.booleans())
def test_pool2d_random_shapes(h, w, k, stride, ceil, avg):
    if k > min(h, w):
        return
    x = np.random.default_rng(h * 10 + w).standard_normal((1, 2, h, w))
    pool = "avg_pool2d" if avg else "max_pool2d"
    check(lambda m, x: getattr(F(m), pool)(x, k, stride, k // 2, ceil_mode=ceil), x, gradcheck=False)


# ---- errors ----------------------------------------------------------------------------------------------------
ONES = np.ones((2, 3, 5, 5))
ERRORS = [
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64)), (np.ones((2, 4, 5, 5)),),
                 id="conv2d:channels"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64)), (np.ones((2, 4, 5)),),
                 id="conv2d:channels_unbatched"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3)), (np.ones((5, 5)),), id="conv2d:rank"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, dtype=m.float64)), (ONES,), id="conv2d:weight_rank"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, dtype=m.float64)), (ONES,), id="conv2d:weight_2d"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), m.ones(3, dtype=m.float64)),
                 (ONES,), id="conv2d:bias_size"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), groups=2), (ONES,),
                 id="conv2d:groups_channels"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(3, 1, 3, 3, dtype=m.float64), groups=2), (ONES,),
                 id="conv2d:groups_divisible"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(2, 3, 3, 3, dtype=m.float64), groups=3), (ONES,),
                 id="conv2d:groups_at_least"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), groups=0), (ONES,),
                 id="conv2d:groups_zero"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 7, 7, dtype=m.float64)), (ONES,), id="conv2d:kernel_big"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), stride=0), (ONES,),
                 id="conv2d:stride_zero"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), padding=-1), (ONES,),
                 id="conv2d:negative_padding"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), dilation=0), (ONES,),
                 id="conv2d:dilation_zero"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3), dilation=0), (ONES.astype(np.float32),),
                 id="conv2d:dilation_zero_float32"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), dilation=-1), (ONES,),
                 id="conv2d:dilation_negative"),
    pytest.param(lambda m, x: F(m).conv_transpose2d(x, m.ones(3, 3, 3, 3, dtype=m.float64), dilation=0), (ONES,),
                 id="conv_transpose2d:dilation_zero"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), stride=(1, 1, 1)), (ONES,),
                 id="conv2d:stride_length"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), stride=2, padding="same"),
                 (ONES,), id="conv2d:same_strided"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), padding="full"), (ONES,),
                 id="conv2d:bad_padding_string"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64)), (ONES.astype(np.float32),),
                 id="conv2d:float_input_double_weight"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3)), (ONES,), id="conv2d:double_input_float_weight"),
    pytest.param(lambda m, x: F(m).conv2d(x, m.ones(4, 3, 3, 3, dtype=m.float64), m.ones(4)), (ONES,),
                 id="conv2d:bias_dtype"),
    pytest.param(lambda m, x: F(m).conv1d(x, m.ones(4, 3, 3, dtype=m.float64)), (ONES,), id="conv1d:rank"),
    pytest.param(lambda m, x: F(m).conv_transpose2d(x, m.ones(4, 3, 3, 3, dtype=m.float64)), (ONES,),
                 id="conv_transpose2d:channels"),
    pytest.param(lambda m, x: F(m).conv_transpose2d(x, m.ones(3, 3, 3, 3, dtype=m.float64), m.ones(4, dtype=m.float64)),
                 (ONES,), id="conv_transpose2d:bias_size"),
    pytest.param(lambda m, x: F(m).conv_transpose2d(x, m.ones(3, 3, 3, 3, dtype=m.float64), output_padding=1),
                 (ONES,), id="conv_transpose2d:output_padding"),
    pytest.param(lambda m, x: F(m).conv_transpose1d(x, m.ones(3, 3, 3, dtype=m.float64), output_padding=1),
                 (np.ones((2, 3, 5)),), id="conv_transpose1d:output_padding"),
    pytest.param(lambda m, x: F(m).conv_transpose2d(x, m.ones(3, 3, 3, 3, dtype=m.float64), padding=4), (ONES,),
                 id="conv_transpose2d:output_too_small"),
    pytest.param(lambda m, x: F(m).conv_transpose2d(x, m.ones(3, 3, 3, 3, dtype=m.float64), output_padding=-1),
                 (ONES,), id="conv_transpose2d:negative_output_padding"),
    pytest.param(lambda m, x: F(m).conv_transpose2d(x, m.ones(3, 3, 3, 3, dtype=m.float64), padding="same"),
                 (ONES,), id="conv_transpose2d:string_padding"),
    pytest.param(lambda m, x: F(m).pad(x, (1,)), (ONES,), id="pad:odd_length"),
    pytest.param(lambda m, x: F(m).pad(x, (1,) * 10), (ONES,), id="pad:too_long"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 1), mode="reflect"), (ONES,), id="pad:reflect_size"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 1), mode="reflect"), (np.ones(5),), id="pad:reflect_1d_tensor"),
    pytest.param(lambda m, x: F(m).pad(x, (5, 0, 0, 0), mode="reflect"), (ONES,), id="pad:reflect_too_wide"),
    pytest.param(lambda m, x: F(m).pad(x, (-6, 0, 0, 0), mode="reflect"), (ONES,), id="pad:reflect_negative_size"),
    pytest.param(lambda m, x: F(m).pad(x, (-3, -3, 0, 0), mode="replicate"), (ONES,),
                 id="pad:replicate_negative_size"),
    pytest.param(lambda m, x: F(m).pad(x, (-3, -3, 0, 0), mode="circular"), (ONES,), id="pad:circular_negative_size"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 1, 1, 1), mode="mirror"), (ONES,), id="pad:bad_mode"),
    pytest.param(lambda m, x: F(m).pad(x, (6, 0, 0, 0), mode="circular"), (ONES,), id="pad:circular_wraps_twice"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 1, 1, 1), mode="reflect", value=2), (ONES,), id="pad:value_not_taken"),
    pytest.param(lambda m, x: F(m).pad(x, (-6, 0)), (ONES,), id="pad:crop_too_much"),
    pytest.param(lambda m, x: m.constant_pad_nd(x, (1, 2, 3)), (ONES,), id="constant_pad_nd:odd"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 6), (ONES,), id="max_pool2d:output_too_small"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2, padding=2), (ONES,), id="max_pool2d:pad_too_big"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 3, padding=2, dilation=2), (ONES,), id="max_pool2d:pad_vs_kernel"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2, padding=-1), (ONES,), id="max_pool2d:negative_pad"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 0), (ONES,), id="max_pool2d:zero_kernel"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2, dilation=0), (ONES,), id="max_pool2d:zero_dilation"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, (2, 2, 2)), (ONES,), id="max_pool2d:kernel_length"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2), (np.ones(5),), id="max_pool2d:rank"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 2), (np.ones((2, 0, 5, 5)),), id="max_pool2d:empty_channels"),
    pytest.param(lambda m, x: F(m).max_pool1d(x, 2), (ONES,), id="max_pool1d:rank"),
    pytest.param(lambda m, x: F(m).max_pool1d(x, 2, padding=2), (ONES[0],), id="max_pool1d:padding"),
    pytest.param(lambda m, x: F(m).max_pool1d(x, 0), (ONES[0],), id="max_pool1d:zero_kernel"),
    pytest.param(lambda m, x: F(m).max_pool1d(x, 6), (ONES[0],), id="max_pool1d:output_size"),
    pytest.param(lambda m, x: F(m).max_pool1d(x, (2, 2)), (ONES[0],), id="max_pool1d:kernel_length"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 6), (ONES,), id="avg_pool2d:output_too_small"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 2, padding=2), (ONES,), id="avg_pool2d:pad_too_big"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 2, divisor_override=0), (ONES,), id="avg_pool2d:zero_divisor"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 2), (np.ones(5),), id="avg_pool2d:rank"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 2, stride=0), (ONES,), id="avg_pool2d:zero_stride"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 2), (np.ones((2, 3, 5, 5), dtype=np.int32),), id="avg_pool2d:int32"),
    pytest.param(lambda m, x: F(m).avg_pool1d(x, 2), (ONES,), id="avg_pool1d:rank"),
    pytest.param(lambda m, x: F(m).avg_pool1d(x, 6), (ONES[0],), id="avg_pool1d:output_too_small"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, 2), (np.ones(5),), id="adaptive_avg_pool2d:rank"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, (2,)), (ONES,), id="adaptive_avg_pool2d:size_length"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, (2, -1)), (ONES,), id="adaptive_avg_pool2d:negative"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, 2), (np.ones((2, 0, 4)),), id="adaptive_avg_pool2d:empty"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, (2, 2, 2, 2)), (ONES,), id="adaptive_avg_pool2d:too_long"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, 2), (np.ones((2, 3, 4), dtype=np.int64),),
                 id="adaptive_avg_pool2d:int64"),
    pytest.param(lambda m, x: F(m).adaptive_max_pool2d(x, 2), (np.ones(4),), id="adaptive_max_pool2d:rank"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool3d(x, (2, 3)), (ONES,), id="adaptive_avg_pool3d:size_length"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool3d(x, (2, 3, -1)), (ONES,), id="adaptive_avg_pool3d:negative"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool3d(x, 2), (ONES[0, 0],), id="adaptive_avg_pool3d:rank"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool3d(x, 2), (np.ones((2, 0, 3, 4)),), id="adaptive_avg_pool3d:empty"),
    pytest.param(lambda m, x: F(m).adaptive_max_pool2d(x, (2,)), (ONES,), id="adaptive_max_pool2d:size_length"),
    pytest.param(lambda m, x: F(m).adaptive_max_pool2d(x, 2), (np.ones((2, 0, 4)),), id="adaptive_max_pool2d:empty"),
    pytest.param(lambda m, x: F(m).unfold(x, 6), (ONES,), id="unfold:kernel_big"),
    pytest.param(lambda m, x: F(m).unfold(x, 2), (np.ones((5, 5)),), id="unfold:rank"),
    pytest.param(lambda m, x: F(m).unfold(x, 2), (np.ones((2, 0, 5, 6)),), id="unfold:empty"),
    pytest.param(lambda m, x: F(m).unfold(x, 0), (ONES,), id="unfold:zero_kernel"),
    pytest.param(lambda m, x: F(m).unfold(x, 2, padding=-1), (ONES,), id="unfold:negative_padding"),
    pytest.param(lambda m, x: F(m).fold(x, (5, 5), 2), (np.ones((2, 12, 15)),), id="fold:blocks"),
    pytest.param(lambda m, x: F(m).fold(x, (5, 5), 2), (np.ones((2, 13, 16)),), id="fold:divisible"),
    pytest.param(lambda m, x: F(m).fold(x, (5, 5), 0), (np.ones((2, 12, 16)),), id="fold:zero_kernel"),
    pytest.param(lambda m, x: F(m).fold(x, (5, 5), 2), (np.ones((2, 12, 0)),), id="fold:empty"),
    pytest.param(lambda m, x: F(m).fold(x, (0, 5), 2), (np.ones((2, 12, 16)),), id="fold:zero_output"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(3, 3), mode="linear"), (ONES,), id="interpolate:linear_4d"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(3, 3), scale_factor=2), (ONES,), id="interpolate:both"),
    pytest.param(lambda m, x: F(m).interpolate(x), (ONES,), id="interpolate:neither"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=3, align_corners=True), (ONES,),
                 id="interpolate:align_nearest"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(3,)), (ONES,), id="interpolate:size_length"),
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=(2, 2, 2)), (ONES,), id="interpolate:scale_length"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(2.5, 2)), (ONES,), id="interpolate:float_size"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=3, mode="cubic"), (ONES,), id="interpolate:bad_mode"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=3, mode="bicubic"), (ONES[0],), id="interpolate:bicubic_3d"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=3, mode="bilinear", antialias=True), (ONES[0],),
                 id="interpolate:antialias_3d"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(0, 2)), (ONES,), id="interpolate:zero_size"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=0), (ONES[0],), id="interpolate:zero_size_1d"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=3, recompute_scale_factor=True), (ONES,),
                 id="interpolate:recompute_with_size"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=3, mode="nearest", antialias=True), (ONES,),
                 id="interpolate:antialias"),
    pytest.param(lambda m, x: F(m).layer_norm(x, (4,)), (ONES,), id="layer_norm:shape"),
    pytest.param(lambda m, x: F(m).layer_norm(x, (5,), m.ones(4, dtype=m.float64)), (ONES,),
                 id="layer_norm:weight_shape"),
    pytest.param(lambda m, x: F(m).layer_norm(x, (5,), None, m.ones(4, dtype=m.float64)), (ONES,),
                 id="layer_norm:bias_shape"),
    pytest.param(lambda m, x: F(m).layer_norm(x, []), (ONES,), id="layer_norm:empty_shape"),
    pytest.param(lambda m, x: F(m).layer_norm(x, 5), (ONES,), id="layer_norm:int_shape"),
    pytest.param(lambda m, x: F(m).layer_norm(x, (5,), m.ones(5)), (ONES,), id="layer_norm:mixed_dtype"),
    pytest.param(lambda m, x: F(m).layer_norm(x, (5,), m.ones(5, dtype=m.float64)), (ONES.astype(np.float32),),
                 id="layer_norm:mixed_dtype_float"),
    pytest.param(lambda m, x: F(m).layer_norm(x, (5,)), (np.ones((2, 5), dtype=np.int64),), id="layer_norm:int64"),
    pytest.param(lambda m, x: F(m).batch_norm(x, m.zeros(4), m.ones(4)), (ONES.astype(np.float32),),
                 id="batch_norm:running_mean_size"),
    pytest.param(lambda m, x: F(m).batch_norm(x, m.zeros(3), m.ones(3), m.ones(4)), (ONES.astype(np.float32),),
                 id="batch_norm:weight_size"),
    pytest.param(lambda m, x: F(m).batch_norm(x, None, None, training=True), (np.ones((1, 3)),),
                 id="batch_norm:one_value"),
    pytest.param(lambda m, x: F(m).batch_norm(x, None, None), (ONES,), id="batch_norm:eval_without_stats"),
    pytest.param(lambda m, x: F(m).batch_norm(x, None, None, training=True, eps=0), (ONES,), id="batch_norm:eps"),
    pytest.param(lambda m, x: F(m).batch_norm(x, m.zeros(3), m.ones(3), eps=-1), (ONES.astype(np.float32),),
                 id="batch_norm:negative_eps"),
    pytest.param(lambda m, x: F(m).batch_norm(x, m.zeros(3), m.ones(3), training=True), (ONES,),
                 id="batch_norm:mixed_dtype"),
    pytest.param(lambda m, x: F(m).group_norm(x, 2), (ONES,), id="group_norm:divisible"),
    pytest.param(lambda m, x: F(m).group_norm(x, 3, m.ones(4, dtype=m.float64)), (ONES,), id="group_norm:weight"),
    pytest.param(lambda m, x: F(m).group_norm(x, 3, None, m.ones(4, dtype=m.float64)), (ONES,),
                 id="group_norm:bias"),
    pytest.param(lambda m, x: F(m).group_norm(x, 1), (np.ones(5),), id="group_norm:rank"),
    pytest.param(lambda m, x: F(m).group_norm(x, 0), (ONES,), id="group_norm:zero_groups"),
    pytest.param(lambda m, x: F(m).group_norm(x, 3), (np.ones((1, 3, 1)),), id="group_norm:one_value"),
    pytest.param(lambda m, x: F(m).instance_norm(x), (np.ones((2, 3, 1)),), id="instance_norm:one_value"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([[0, 1]]), w, m.tensor([0])), (EW,),
                 id="embedding_bag:offsets_with_2d"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 1]), w), (EW,), id="embedding_bag:no_offsets"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 1]), w, m.tensor([[0]])), (EW,),
                 id="embedding_bag:offsets_2d"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([[[0]]]), w), (EW,), id="embedding_bag:input_3d"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 1]), w[0], m.tensor([0])), (EW,),
                 id="embedding_bag:weight_1d"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 1]), w, m.tensor([0]), mode="min"), (EW,),
                 id="embedding_bag:mode"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 9]), w, m.tensor([0])), (EW,),
                 id="embedding_bag:index_range"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0., 1.]), w, m.tensor([0])), (EW,),
                 id="embedding_bag:float_indices"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 1]), w, m.tensor([1])), (EW,),
                 id="embedding_bag:first_offset"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 1]), w, m.tensor([0, 3])), (EW,),
                 id="embedding_bag:last_offset"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 1]), w, m.tensor([0]), mode="mean",
                                                 per_sample_weights=m.ones(2, dtype=m.float64)), (EW,),
                 id="embedding_bag:weights_need_sum"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 1]), w, m.tensor([0]), mode="sum",
                                                 per_sample_weights=m.ones(3, dtype=m.float64)), (EW,),
                 id="embedding_bag:weights_shape"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor([0, 1]), w, m.tensor([0]), mode="max",
                                                 scale_grad_by_freq=True), (EW,), id="embedding_bag:max_freq"),
]


@pytest.mark.parametrize("fn,args", ERRORS)
def test_errors(fn, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expect_error(fn, *args)


# ---- the CUDA backend: the same results as on the CPU ------------------------------------------------------------
def _run_on(dev, fn, arrays):
    """Forward values, gradients and second-order gradients of fn on one device, as NumPy arrays."""
    ins = [chainrule.tensor(a, device=dev).requires_grad_() for a in arrays]
    out = fn(chainrule, *ins)
    outs = out if isinstance(out, tuple) else (out,)
    rng = np.random.default_rng(0)
    diff = [o for o in outs if o.requires_grad]
    seeds = [chainrule.tensor(rng.standard_normal(tuple(o.shape)), device=dev).to(o.dtype) for o in diff]
    g = chainrule.autograd.grad(diff, ins, seeds, create_graph=True, allow_unused=True)
    total = sum(((gi * chainrule.tensor(rng.standard_normal(tuple(gi.shape)), device=dev)).sum()
                 for gi in g if gi is not None and gi.requires_grad), chainrule.tensor(0., device=dev))
    g2 = chainrule.autograd.grad(total, ins, allow_unused=True) if total.requires_grad else ()
    return [t.detach().cpu().numpy() for t in list(outs) + list(g) + list(g2) if t is not None]


CUDA = [
    pytest.param(lambda m, x, w, b: F(m).conv2d(x, w, b, stride=2, padding=1, dilation=(1, 2)), (X, W, B4),
                 id="conv2d:cuda"),
    pytest.param(lambda m, x, w: F(m).conv2d(x, w, groups=3), (rn(2, 6, 4, 4), rn(3, 2, 2, 2)),
                 id="conv2d:cuda_groups"),
    pytest.param(lambda m, x, w, b: F(m).conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
                 (X, WT, B2), id="conv_transpose2d:cuda"),
    pytest.param(lambda m, x, w: F(m).conv1d(x, w, padding="same"), (X1, W1), id="conv1d:cuda"),
    pytest.param(lambda m, x: F(m).pad(x, (1, 2, -1, 1), value=0.5), (X,), id="pad:cuda_constant"),
    pytest.param(lambda m, x: F(m).pad(x, (2, 1, 1, 3), mode="reflect"), (X,), id="pad:cuda_reflect"),
    pytest.param(lambda m, x: F(m).pad(x, (2, 1, 1, 3), mode="circular"), (X,), id="pad:cuda_circular"),
    pytest.param(lambda m, x: F(m).max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True), (X,),
                 id="max_pool2d:cuda"),
    pytest.param(lambda m, x: F(m).max_pool1d(x, 2), (X1,), id="max_pool1d:cuda"),
    pytest.param(lambda m, x: F(m).avg_pool2d(x, 3, 2, 1, count_include_pad=False), (X,), id="avg_pool2d:cuda"),
    pytest.param(lambda m, x: F(m).adaptive_avg_pool2d(x, (2, 3)), (X,), id="adaptive_avg_pool2d:cuda"),
    pytest.param(lambda m, x: F(m).adaptive_max_pool2d(x, (2, 3), True), (X,), id="adaptive_max_pool2d:cuda"),
    pytest.param(lambda m, x: F(m).fold(F(m).unfold(x, 2, padding=1), (5, 5), 2, padding=1), (X,), id="fold:cuda"),
    pytest.param(lambda m, x: F(m).interpolate(x, scale_factor=1.5, mode="bilinear"), (X,), id="interpolate:cuda"),
    pytest.param(lambda m, x: F(m).interpolate(x, size=(7, 3)), (X,), id="interpolate:cuda_nearest"),
    pytest.param(lambda m, x, w, b: F(m).layer_norm(x, (5,), w, b), (X, rn(5), rn(5)), id="layer_norm:cuda"),
    pytest.param(lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, training=True), (X, C3, rn(3)),
                 id="batch_norm:cuda"),
    pytest.param(lambda m, x, w: F(m).batch_norm(x, m.tensor(RM, device=x.device), m.tensor(RV, device=x.device),
                                                 w), (X, C3), id="batch_norm:cuda_eval"),
    pytest.param(lambda m, x, w, b: F(m).group_norm(x, 3, w, b), (rn(2, 6, 3, 2), rn(6), rn(6)), id="group_norm:cuda"),
    pytest.param(lambda m, x: F(m).instance_norm(x), (X,), id="instance_norm:cuda"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor(BAGS1, device=w.device), w,
                                                 m.tensor(OFFS, device=w.device), padding_idx=0), (EW,),
                 id="embedding_bag:cuda_mean"),
    pytest.param(lambda m, w: F(m).embedding_bag(m.tensor(BAGS2, device=w.device), w, mode="max"), (EW,),
                 id="embedding_bag:cuda_max"),
]


@pytest.mark.skipif(not chainrule.cuda.is_available(), reason="no CUDA device with CuPy on this machine")
@pytest.mark.parametrize("fn,args", CUDA)
def test_cuda_matches_cpu(fn, args):
    for a, b in zip(_run_on("cpu", fn, args), _run_on("cuda", fn, args), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
