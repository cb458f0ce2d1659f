"""The ops issue 3 lists, by the name their parity cases carry (test ids "op:case")."""

LISTED_OPS = {
    'Pointwise unary': (
        'abs', 'neg', 'sign', 'sgn', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sqrt', 'rsqrt',
        'square', 'reciprocal', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh',
        'acosh', 'atanh', 'sigmoid', 'logit', 'erf', 'erfc', 'erfinv', 'floor', 'ceil', 'round', 'trunc',
        'frac', 'nan_to_num', 'deg2rad', 'rad2deg', 'positive', 'signbit', 'isnan', 'isinf', 'isfinite',
        'isposinf', 'isneginf', 'logical_not', 'bitwise_not',
    ),
    'Pointwise binary and ternary': (
        'add', 'sub', 'mul', 'div', 'true_divide', 'floor_divide', 'remainder', 'fmod', 'pow', 'float_power',
        'atan2', 'hypot', 'maximum', 'minimum', 'fmax', 'fmin', 'copysign', 'xlogy', 'lerp', 'addcmul',
        'addcdiv', 'clamp', 'clamp_min', 'clamp_max', 'where', 'logical_and', 'bitwise_or', 'bitwise_xor',
        'bitwise_and', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'isclose', 'allclose', 'equal', 'logical_or', 'logical_xor',
    ),
    'Reductions': (
        'sum', 'mean', 'prod', 'max', 'min', 'amax', 'amin', 'argmax', 'argmin', 'aminmax', 'var', 'std',
        'var_mean', 'std_mean', 'logsumexp', 'norm', 'cumsum', 'cumprod', 'cummax', 'cummin', 'all', 'any',
        'count_nonzero', 'median', 'mode', 'topk', 'sort', 'argsort', 'kthvalue', 'nansum', 'nanmean',
    ),
    'Linear algebra': (
        'matmul', 'mm', 'bmm', 'mv', 'dot', 'vdot', 'outer', 'addmm', 'addmv', 'addbmm', 'baddbmm', 'einsum',
        'tensordot', 'kron', 'trace', 'diag', 'diag_embed', 'diagonal', 'tril', 'triu', 'cross',
        'vector_norm', 'matrix_norm', 'norm', 'inv', 'det', 'slogdet', 'solve', 'cholesky', 'qr', 'eigh',
        'svd', 'pinv', 'cdist',
    ),
    'Shape and indexing': (
        'reshape', 'view', 'view_as', 'flatten', 'unflatten', 'squeeze', 'unsqueeze', 'transpose', 'swapaxes',
        'permute', 'movedim', 't', 'T', 'mT', 'expand', 'expand_as', 'broadcast_to', 'broadcast_tensors',
        'repeat', 'repeat_interleave', 'tile', 'flip', 'fliplr', 'flipud', 'roll', 'rot90', 'cat', 'concat',
        'stack', 'hstack', 'vstack', 'dstack', 'split', 'chunk', 'tensor_split', 'unbind', 'narrow', 'select',
        'getitem', 'setitem', 'index_select', 'index_add', 'index_copy', 'index_fill', 'gather', 'scatter',
        'scatter_add', 'scatter_reduce', 'masked_fill', 'masked_select', 'masked_scatter', 'take',
        'take_along_dim', 'nonzero', 'argwhere', 'unique', 'clone', 'contiguous', 'meshgrid', 'atleast_1d',
        'atleast_2d', 'atleast_3d',
    ),
    'nn.functional': (
        'relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'softplus', 'softsign',
        'hardtanh', 'hardsigmoid', 'hardswish', 'logsigmoid', 'tanhshrink', 'softshrink', 'hardshrink',
        'threshold', 'glu', 'prelu', 'softmax', 'log_softmax', 'softmin', 'normalize', 'linear', 'bilinear',
        'dropout', 'embedding', 'one_hot', 'pad', 'layer_norm', 'batch_norm', 'group_norm', 'conv1d',
        'conv2d', 'conv_transpose2d', 'max_pool1d', 'avg_pool1d', 'adaptive_avg_pool2d', 'unfold', 'fold',
        'interpolate', 'cosine_similarity', 'pairwise_distance', 'mse_loss', 'l1_loss', 'smooth_l1_loss',
        'huber_loss', 'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'cross_entropy', 'nll_loss',
        'kl_div', 'soft_margin_loss', 'margin_ranking_loss', 'hinge_embedding_loss', 'cosine_embedding_loss',
        'triplet_margin_loss', 'poisson_nll_loss', 'gaussian_nll_loss',
    ),
}
