"""The reference CNN as a plain PyTorch program: the PyTorch side of the Keras vs PyTorch lab.

The only module in Kviz that imports torch (the optional `kviz[pytorch]` extra); the lab
runs it in its own process and the app shows it beside `keras_reference.py`. Lines under
the same `# --- Section ---` comment do the same job in both files.

What differs by default between the two, and is set the same here:
- the model returns logits and `nn.CrossEntropyLoss` applies the softmax, where Keras ends
  the model with a softmax and takes the cross-entropy of its probabilities (the same loss);
- Adam's epsilon is 1e-8 in PyTorch and 1e-7 in Keras (Keras also adds it before the bias
  correction, PyTorch after: at 1e-7 the difference does not show);
- images are channels first (N, 1, 28, 28), and Flatten orders features (channel, row,
  column) where Keras orders them (row, column, channel): copied weights are transposed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

# --- Data ---


def prepare(x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Images become (N, 1, 28, 28): channels first.
    Labels stay class numbers."""
    images = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    return images, torch.from_numpy(y.astype(np.int64))


# --- Model ---


class Net(nn.Module):
    """The same CNN; it returns logits, no softmax."""

    def __init__(self, filters: int, kernel: int, pool: int) -> None:
        super().__init__()
        side = (28 - kernel + 1) // pool
        self.conv = nn.Conv2d(1, filters, kernel)
        self.pool = nn.MaxPool2d(pool)
        self.dense = nn.Linear(filters * side * side, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.conv(x))
        logits: torch.Tensor = self.dense(torch.flatten(x, 1))
        return logits


def build_model(
    filters: int = 8,
    kernel: int = 3,
    pool: int = 2,
    seed: int = 1,
) -> Net:
    torch.manual_seed(seed)
    return Net(filters, kernel, pool)


# --- Starting weights ---


def set_weights(model: Net, weights: list[np.ndarray]) -> None:
    """Keras' weights, transposed to PyTorch's layout."""
    conv_kernel, conv_bias, dense_kernel, dense_bias = weights
    filters = conv_kernel.shape[3]
    side = round((dense_kernel.shape[0] / filters) ** 0.5)
    # (row, column, in, out) -> (out, in, row, column)
    conv = conv_kernel.transpose(3, 2, 0, 1)
    # Keras flattens (row, column, channel),
    # PyTorch (channel, row, column).
    grid = dense_kernel.reshape(side, side, filters, 10)
    dense = grid.transpose(3, 2, 0, 1).reshape(10, -1)
    state = {
        "conv.weight": conv,
        "conv.bias": conv_bias,
        "dense.weight": dense,
        "dense.bias": dense_bias,
    }
    tensors = {k: torch.from_numpy(v.copy()) for k, v in state.items()}
    model.load_state_dict(tensors)


# --- Loss and optimizer ---


def make_optimizer(
    model: Net,
    learning_rate: float,
    epsilon: float,
) -> tuple[nn.Module, torch.optim.Optimizer]:
    """Cross-entropy of the logits (softmax inside).
    Adam with Keras' epsilon, not PyTorch's 1e-8."""
    adam = torch.optim.Adam(
        model.parameters(),
        lr=learning_rate,
        eps=epsilon,
    )
    return nn.CrossEntropyLoss(), adam


# --- Training ---


def train(
    model: Net,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    batch_size: int,
    on_step: Callable[[], None],
) -> None:
    """The ordinary loop; the tensors are already
    in the lab's shuffled order."""
    model.train()
    for _epoch in range(epochs):
        for start in range(0, len(x), batch_size):
            images = x[start : start + batch_size]
            labels = y[start : start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            on_step()


# --- Test ---


def predict(model: Net, x: torch.Tensor) -> np.ndarray:
    """Class probabilities (N, 10): softmax of logits."""
    model.eval()
    with torch.no_grad():
        logits = [model(x[i : i + 1000]) for i in range(0, len(x), 1000)]
    return torch.softmax(torch.cat(logits), dim=1).numpy()
