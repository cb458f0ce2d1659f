"""Seed notebook 000: computational-graph basics (scalar chains, sigmoid, linear model).

Copied from shared/seeds/000_aebd5ec8372610b8.txt. Every cell is "In [None]"
(never executed), so no output was recorded: expected is None throughout.
"""

CELLS = [
    # In [None]
    {
        "code": 'import torch',
        "expected": None,
    },
    # In [None]
    {
        "code": (
            'a = torch.tensor(5.0, requires_grad=True)\n'
            'b = torch.tensor(20.0, requires_grad=True)\n'
            '\n'
            '\n'
            'c = a**2 + b**2\n'
            '\n'
            'print(c)'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            'c.backward() #which variable we need to calculate\n'
            '\n'
            'z = a.grad #wrt which variable\n'
            '\n'
            'print(f"Derivative of c w.r.t a: {z}")\n'
            '\n'
            'y = b.grad\n'
            'print(f"Simmilarly Derivative of c w.r.t b:{y}")'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": 'c.backward() #which variable we need to calculate',
        "expected": None,
    },
    # In [None]
    {
        "code": (
            'a = torch.tensor(5.0, requires_grad=True)\n'
            'b = torch.tensor(20.0, requires_grad=True)\n'
            '\n'
            '\n'
            'c = a**2 + b**2'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            '\n'
            'c.backward(retain_graph=True)\n'
            '\n'
            '\n'
            '\n'
            'z = a.grad #wrt which variable\n'
            '\n'
            'print(f"Derivative of c w.r.t a: {z}")\n'
            '\n'
            'y = b.grad\n'
            'print(f"Simmilarly Derivative of c w.r.t b:{y}")'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            '# Other examples\n'
            '\n'
            '\n'
            'a = torch.tensor(3.0, requires_grad=True)\n'
            'b = torch.tensor(4.0, requires_grad=True)\n'
            '\n'
            '# Define a simple computational graph\n'
            'c = a * b\n'
            'd = a + b\n'
            'e = c + d'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            'e.backward(retain_graph=True)\n'
            '\n'
            'print(f"Grad w.r.t a: {a.grad}")\n'
            'print(f"Grad w.r.t b: {b.grad}")'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            'x = torch.tensor(3.0, requires_grad=True)\n'
            '\n'
            'a = -x\n'
            'b = torch.exp(a)\n'
            'c = 1+b\n'
            'y = 1/c'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            'y.backward(retain_graph=True)\n'
            '\n'
            'print(x.grad)'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            '# Define inputs and targets\n'
            'inputs = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)\n'
            'targets = torch.tensor([[2.0], [6.0]])\n'
            '\n'
            '# Define weights and bias with requires_grad=True\n'
            'weights = torch.tensor([[0.1], [0.2]], requires_grad=True)\n'
            'bias = torch.tensor([0.3], requires_grad=True)'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            '# Define the simple linear model\n'
            'predictions = inputs @ weights + bias # @ is  matrix multiplication'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            '# Define a simple loss function (Mean Squared Error)\n'
            'loss = torch.mean((predictions - targets) ** 2)'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            '# Perform a backward pass to compute gradients\n'
            'loss.backward()'
        ),
        "expected": None,
    },
    # In [None]
    {
        "code": (
            '# Print the gradients\n'
            'print(f"inputs: {inputs}")\n'
            'print(f"targets: {targets}")\n'
            'print(f"weights: {weights}")\n'
            'print(f"bias: {bias}")\n'
            'print(f"predictions: {predictions}")\n'
            'print(f"loss: {loss}")\n'
            'print(f"Gradient of loss w.r.t weights: {weights.grad}")\n'
            'print(f"Gradient of loss w.r.t bias: {bias.grad}")'
        ),
        "expected": None,
    },
]
