"""chainrule.linalg: PyTorch's torch.linalg namespace."""
from .ops.linalg import matmul
from .ops.linalg_more import (_LinAlgError as LinAlgError, vector_norm, matrix_norm, norm, inv, det, slogdet, solve,
                              cholesky, qr, eigh, eigvalsh, svd, svdvals, pinv, vecdot, linalg_cross as cross,
                              linalg_diagonal as diagonal)

__all__ = ["LinAlgError", "vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve", "cholesky", "qr",
           "eigh", "eigvalsh", "svd", "svdvals", "pinv", "vecdot", "cross", "diagonal", "matmul"]
