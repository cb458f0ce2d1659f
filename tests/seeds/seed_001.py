"""Seed notebook 001: autograd basics, manual vs autograd BCE gradients, no_grad.

Copied from shared/seeds/001_8c0541c9f55f340c.txt. Recorded on a CUDA machine
(the first cells show device='cuda:0'). Executed cells that printed nothing
have expected "".
"""

CELLS = [
    # In [1]
    {
        "code": (
            'import torch\n'
            'device = "cuda" if torch.cuda.is_available() else "cpu"'
        ),
        "expected": '',
    },
    # In [2]
    {
        "code": (
            'x = torch.tensor(3.0, requires_grad=True, device=device) # Enables the differentation wrt this variable\n'
            'x # A scalar'
        ),
        "expected": "tensor(3., device='cuda:0', requires_grad=True)\n",
    },
    # In [3]
    {
        "code": (
            'y = x**2\n'
            'y'
        ),
        "expected": "tensor(9., device='cuda:0', grad_fn=<PowBackward0>)\n",
    },
    # In [4]
    {
        "code": (
            'y.backward(retain_graph = True)\n'
            '# Computational Graph: X -> square function -> y(leaf node)'
        ),
        "expected": '',
    },
    # In [5]
    {
        "code": (
            'x.grad\n'
            '# Differentation of leaf node wrt x'
        ),
        "expected": "tensor(6., device='cuda:0')\n",
    },
    # In [6]
    {
        "code": (
            'x = torch.tensor(4.0, requires_grad=True)\n'
            '\n'
            'y = 2 * x * (torch.cos(x) ** 2) # Multiplication Rule of Derivative\n'
            '\n'
            'z = torch.sin(y)'
        ),
        "expected": '',
    },
    # In [7]
    {
        "code": 'x',
        "expected": 'tensor(4., requires_grad=True)\n',
    },
    # In [8]
    {
        "code": 'y',
        "expected": 'tensor(3.4180, grad_fn=<MulBackward0>)\n',
    },
    # In [9]
    {
        "code": 'z',
        "expected": 'tensor(-0.2729, grad_fn=<SinBackward0>)\n',
    },
    # In [10]
    {
        "code": 'z.backward()',
        "expected": '',
    },
    # In [11]
    {
        "code": 'x.grad',
        "expected": 'tensor(6.7924)\n',
    },
    # In [12]
    {
        "code": (
            'y.grad\n'
            '# You only able to calculate the gradient wrt leaf node (the last variable) only'
        ),
        "expected": '  y.grad\n',
    },
    # In [13]
    {
        "code": (
            '# Inputs\n'
            'x = torch.tensor(6.7)  # Input feature\n'
            'y = torch.tensor(0.0)  # True label (binary)\n'
            '\n'
            'w = torch.tensor(1.0)  # Weight\n'
            'b = torch.tensor(0.0)  # Bias'
        ),
        "expected": '',
    },
    # In [14]
    {
        "code": (
            '# Binary Cross-Entropy Loss for scalar\n'
            'def binary_cross_entropy_loss(prediction, target):\n'
            '    epsilon = 1e-8  # To prevent log(0)\n'
            '    prediction = torch.clamp(prediction, epsilon, 1 - epsilon)\n'
            '    return -(target * torch.log(prediction) + (1 - target) * torch.log(1 - prediction))'
        ),
        "expected": '',
    },
    # In [15]
    {
        "code": (
            '# Forward pass\n'
            'z = w * x + b  # Weighted sum (linear part)\n'
            'y_pred = torch.sigmoid(z)  # Predicted probability\n'
            '\n'
            '# Compute binary cross-entropy loss\n'
            'loss = binary_cross_entropy_loss(y_pred, y)\n'
            'loss'
        ),
        "expected": 'tensor(6.7012)\n',
    },
    # In [16]
    {
        "code": (
            '# Derivatives:\n'
            '# 1. dL/d(y_pred): Loss with respect to the prediction (y_pred)\n'
            'dloss_dy_pred = (y_pred - y)/(y_pred*(1-y_pred))\n'
            '\n'
            '# 2. dy_pred/dz: Prediction (y_pred) with respect to z (sigmoid derivative)\n'
            'dy_pred_dz = y_pred * (1 - y_pred)\n'
            '\n'
            '# 3. dz/dw and dz/db: z with respect to w and b\n'
            'dz_dw = x  # dz/dw = x\n'
            'dz_db = 1  # dz/db = 1 (bias contributes directly to z)\n'
            '\n'
            '# Chain Rule\n'
            'dL_dw = dloss_dy_pred * dy_pred_dz * dz_dw\n'
            'dL_db = dloss_dy_pred * dy_pred_dz * dz_db'
        ),
        "expected": '',
    },
    # In [17]
    {
        "code": (
            'print(f"Manual Gradient of loss w.r.t weight (dw): {dL_dw}")\n'
            'print(f"Manual Gradient of loss w.r.t bias (db): {dL_db}")'
        ),
        "expected": (
            'Manual Gradient of loss w.r.t weight (dw): 6.691762447357178\n'
            'Manual Gradient of loss w.r.t bias (db): 0.998770534992218\n'
        ),
    },
    # In [18]
    {
        "code": (
            'x = torch.tensor(6.7)\n'
            'y = torch.tensor(0.0)\n'
            '\n'
            'w = torch.tensor(1.0, requires_grad=True)\n'
            'b = torch.tensor(0.0, requires_grad=True)'
        ),
        "expected": '',
    },
    # In [19]
    {
        "code": (
            '# Forward Pass\n'
            'z = w*x + b\n'
            'z'
        ),
        "expected": 'tensor(6.7000, grad_fn=<AddBackward0>)\n',
    },
    # In [20]
    {
        "code": (
            '# Predict Probabilities\n'
            'y_pred = torch.sigmoid(z)\n'
            'y_pred'
        ),
        "expected": 'tensor(0.9988, grad_fn=<SigmoidBackward0>)\n',
    },
    # In [21]
    {
        "code": (
            'loss = binary_cross_entropy_loss(y_pred, y)\n'
            'loss'
        ),
        "expected": 'tensor(6.7012, grad_fn=<NegBackward0>)\n',
    },
    # In [22]
    {
        "code": 'loss.backward()',
        "expected": '',
    },
    # In [23]
    {
        "code": (
            'print(w.grad)\n'
            'print(b.grad)'
        ),
        "expected": (
            'tensor(6.6918)\n'
            'tensor(0.9988)\n'
        ),
    },
    # In [24]
    {
        "code": (
            '# Gradients with multiple X values\n'
            'x = torch.tensor([[1.0, 2.0, 3.0], [2.5, 9.8, 5.7]], requires_grad = True)\n'
            'x'
        ),
        "expected": (
            'tensor([[1.0000, 2.0000, 3.0000],\n'
            '        [2.5000, 9.8000, 5.7000]], requires_grad=True)\n'
        ),
    },
    # In [25]
    {
        "code": (
            'y = (x**2).mean()\n'
            'y'
        ),
        "expected": 'tensor(24.7967, grad_fn=<MeanBackward0>)\n',
    },
    # In [26]
    {
        "code": 'y.backward()',
        "expected": '',
    },
    # In [27]
    {
        "code": 'x.grad',
        "expected": (
            'tensor([[0.3333, 0.6667, 1.0000],\n'
            '        [0.8333, 3.2667, 1.9000]])\n'
        ),
    },
    # In [28]
    {
        "code": (
            '# clearing grad\n'
            'x = torch.tensor(2.0, requires_grad = True)\n'
            'x'
        ),
        "expected": 'tensor(2., requires_grad=True)\n',
    },
    # In [29]
    {
        "code": (
            'y = x ** 2\n'
            'y'
        ),
        "expected": 'tensor(4., grad_fn=<PowBackward0>)\n',
    },
    # In [30]
    {
        "code": 'y.backward()',
        "expected": '',
    },
    # In [31]
    {
        "code": 'x.grad',
        "expected": 'tensor(4.)\n',
    },
    # In [32]
    {
        "code": (
            '# Inplace operation\n'
            'x.grad.zero_()'
        ),
        "expected": 'tensor(0.)\n',
    },
    # In [33]
    {
        "code": (
            'x = torch.tensor(2.0, requires_grad=True)\n'
            'x'
        ),
        "expected": 'tensor(2., requires_grad=True)\n',
    },
    # In [34]
    {
        "code": (
            'y = x ** 2\n'
            'y'
        ),
        "expected": 'tensor(4., grad_fn=<PowBackward0>)\n',
    },
    # In [35]
    {
        "code": 'y.backward()',
        "expected": '',
    },
    # In [36]
    {
        "code": 'x.grad',
        "expected": 'tensor(4.)\n',
    },
    # In [37]
    {
        "code": 'x.requires_grad_(False) # requires_grad = False (_ inplace)',
        "expected": 'tensor(2.)\n',
    },
    # In [38]
    {
        "code": 'x',
        "expected": 'tensor(2.)\n',
    },
    # In [39]
    {
        "code": 'y = x ** 2',
        "expected": '',
    },
    # In [40]
    {
        "code": 'y',
        "expected": 'tensor(4.)\n',
    },
    # In [41]
    {
        "code": (
            'try:\n'
            '    y.backward()\n'
            'except Exception as e:\n'
            '    print(e)'
        ),
        "expected": 'element 0 of tensors does not require grad and does not have a grad_fn\n',
    },
    # In [42]
    {
        "code": (
            'x = torch.tensor(2.0, requires_grad=True)\n'
            'x'
        ),
        "expected": 'tensor(2., requires_grad=True)\n',
    },
    # In [43]
    {
        "code": 'y = x ** 2',
        "expected": '',
    },
    # In [44]
    {
        "code": 'y',
        "expected": 'tensor(4., grad_fn=<PowBackward0>)\n',
    },
    # In [45]
    {
        "code": (
            'y.backward()\n'
            'x.grad'
        ),
        "expected": 'tensor(4.)\n',
    },
    # In [46]
    {
        "code": (
            'z = x.detach()\n'
            'z'
        ),
        "expected": 'tensor(2.)\n',
    },
    # In [47]
    {
        "code": (
            'y = z ** 2\n'
            'y'
        ),
        "expected": 'tensor(4.)\n',
    },
    # In [48]
    {
        "code": (
            'try:\n'
            '    y.backward()\n'
            'except Exception as e:\n'
            '    print(e)'
        ),
        "expected": 'element 0 of tensors does not require grad and does not have a grad_fn\n',
    },
    # In [49]
    {
        "code": (
            '# Consider you are training your neural network\n'
            'x = torch.tensor([1.0, 2.0], requires_grad=True) # Only Tensors of floating point and complex dtype can require gradients\n'
            'x = torch.tensor(2.4, requires_grad=True)\n'
            'y = x ** 2\n'
            'y.backward()\n'
            'print(x.grad)\n'
            '# The neural network is trained\n'
            '\n'
            '# Its prediction time\n'
            'with torch.no_grad():\n'
            '    # In this scope only, the x requires_grad parameter becomes false\n'
            '    y = x + 10\n'
            '\n'
            '    try:\n'
            '        y.backward()\n'
            '        print(x.grad())\n'
            '    except Exception as e:\n'
            '        print(e)'
        ),
        "expected": (
            'tensor(4.8000)\n'
            'element 0 of tensors does not require grad and does not have a grad_fn\n'
        ),
    },
]
