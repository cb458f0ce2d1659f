"""Seed notebook 002: chain rule, non-leaf .grad warnings, BCE with int target.

Copied from shared/seeds/002_367e2fdee9e41cbd.txt. Executed cells that printed
nothing have expected ""; the last cell is "In [None]" but has a recorded output.
"""

CELLS = [
    # In [53]
    {
        "code": 'import torch',
        "expected": '',
    },
    # In [54]
    {
        "code": (
            '# function 1\n'
            '#dy/dx\n'
            'x = torch.tensor(3, requires_grad=True, dtype=torch.float32)\n'
            'y = x**2'
        ),
        "expected": '',
    },
    # In [55]
    {
        "code": (
            'print(x)\n'
            'print(y)'
        ),
        "expected": (
            'tensor(3., requires_grad=True)\n'
            'tensor(9., grad_fn=<PowBackward0>)\n'
        ),
    },
    # In [56]
    {
        "code": 'y.backward()',
        "expected": '',
    },
    # In [57]
    {
        "code": 'x.grad',
        "expected": 'tensor(6.)\n',
    },
    # In [58]
    {
        "code": (
            '# frunction 2\n'
            '# dx/dz = dx/dy * dy/dz\n'
            'x = torch.tensor(2, requires_grad=True, dtype=torch.float32)\n'
            '\n'
            'y = x ** 2 # 4\n'
            'z = 2*y + y**2 # 8 + 16 = 24\n'
            '#z = torch.sin(y)'
        ),
        "expected": '',
    },
    # In [59]
    {
        "code": 'z.backward()',
        "expected": '',
    },
    # In [60]
    {
        "code": (
            'print("x", x)\n'
            'print("y", y)\n'
            'print("z", z)'
        ),
        "expected": (
            'x tensor(2., requires_grad=True)\n'
            'y tensor(4., grad_fn=<PowBackward0>)\n'
            'z tensor(24., grad_fn=<AddBackward0>)\n'
        ),
    },
    # In [61]
    {
        "code": (
            '# final derivative\n'
            'x.grad'
        ),
        "expected": 'tensor(40.)\n',
    },
    # In [62]
    {
        "code": (
            '# cannot access y and z beacuse these are not leaf or root node in the computation graph.\n'
            '# x is leaf node(staring node)\n'
            'y.grad\n'
            'z.grad'
        ),
        "expected": (
            '  y.grad\n'
            '  z.grad\n'
        ),
    },
    # In [63]
    {
        "code": (
            '# dL/dw = dL/dy_pred * dy_pred/dz * dz/dw\n'
            '# dL/db = dL/dy_pred * dy_pred/dz * dz/db'
        ),
        "expected": '',
    },
    # In [64]
    {
        "code": (
            'x = torch.tensor(6.7) #input\n'
            'y = torch.tensor(0) #output\n'
            '\n'
            'w = torch.tensor(1.0) # initial weight\n'
            'b = torch.tensor(0.0) # initial bias'
        ),
        "expected": '',
    },
    # In [65]
    {
        "code": (
            '# binary cross-entropy loss for scalar\n'
            'def binary_cross_entropy_loss(prediction, target):\n'
            '    epsilon = 1e-8  \n'
            '    prediction = torch.clamp(prediction, epsilon, 1 - epsilon)\n'
            '    return -(target * torch.log(prediction) + (1 - target) * torch.log(1 - prediction))'
        ),
        "expected": '',
    },
    # In [66]
    {
        "code": (
            '#forward pass\n'
            'z = w * x + b\n'
            '\n'
            '#prediction\n'
            'y_pred = torch.sigmoid(z)\n'
            '\n'
            'loss = binary_cross_entropy_loss(y_pred, y)'
        ),
        "expected": '',
    },
    # In [67]
    {
        "code": (
            '# manual gradient calcualtion for backprop\n'
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
            'dL_dw = dloss_dy_pred * dy_pred_dz * dz_dw\n'
            'dL_db = dloss_dy_pred * dy_pred_dz * dz_db'
        ),
        "expected": '',
    },
    # In [68]
    {
        "code": (
            'print(f"Manual Gradient of loss w.r.t weight (dw): {dL_dw:.4f}")\n'
            'print(f"Manual Gradient of loss w.r.t bias (db): {dL_db:.4f}")'
        ),
        "expected": (
            'Manual Gradient of loss w.r.t weight (dw): 6.6918\n'
            'Manual Gradient of loss w.r.t bias (db): 0.9988\n'
        ),
    },
    # In [69]
    {
        "code": (
            'x = torch.tensor(6.7) #input\n'
            'y = torch.tensor(0) #output\n'
            '\n'
            'w = torch.tensor(1.0, requires_grad=True) # initial weight\n'
            'b = torch.tensor(0.0, requires_grad=True) # initial bias'
        ),
        "expected": '',
    },
    # In [70]
    {
        "code": (
            '#forward pass\n'
            'z = w * x + b\n'
            '\n'
            'y_pred = torch.sigmoid(z)\n'
            '\n'
            'loss = binary_cross_entropy_loss(y_pred, y)'
        ),
        "expected": '',
    },
    # In [71]
    {
        "code": (
            "print('z', z)\n"
            "print('y_pred', y_pred)\n"
            "print('loss', loss)"
        ),
        "expected": (
            'z tensor(6.7000, grad_fn=<AddBackward0>)\n'
            'y_pred tensor(0.9988, grad_fn=<SigmoidBackward0>)\n'
            'loss tensor(6.7012, grad_fn=<NegBackward0>)\n'
        ),
    },
    # In [72]
    {
        "code": (
            '#goal is to find dl/dw, so we start on the loss funciton to get the gradiant\n'
            'loss.backward()'
        ),
        "expected": '',
    },
    # In [73]
    {
        "code": (
            '#get grads\n'
            'print(w.grad)\n'
            'print(b.grad)'
        ),
        "expected": (
            'tensor(6.6918)\n'
            'tensor(0.9988)\n'
        ),
    },
    # In [74]
    {
        "code": 'x = torch.tensor(2.0, requires_grad=True)',
        "expected": '',
    },
    # In [75]
    {
        "code": (
            'y = x ** 2\n'
            'y.backward()'
        ),
        "expected": '',
    },
    # In [76]
    {
        "code": 'x.grad',
        "expected": 'tensor(4.)\n',
    },
    # In [None]
    {
        "code": (
            '# reset grads to zero\n'
            'x.grad.zero_() '
        ),
        "expected": 'tensor(0.)\n',
    },
]
