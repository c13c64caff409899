"""The registry of computed-question generators: answers come from code, never from text.

A generator takes the drawn parameters (plain numbers and strings), may derive more values
(e.g. random probabilities) from the random source it is given, and returns every value a
prompt may show plus the answer. The same functions recompute the `check` of numeric
questions, and the tests compare each of them with Keras.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class GeneratorError(ValueError):
    """Parameters a generator cannot work with (missing, unknown or out of range)."""


@dataclass(frozen=True)
class Generator:
    """One named calculation, with the parameters it needs and accepts."""

    name: str
    required: frozenset[str]
    optional: frozenset[str]
    integer: bool  # True when every answer is a whole number
    compute: Callable[[dict[str, Any], random.Random], dict[str, Any]]

    @property
    def accepted(self) -> frozenset[str]:
        return self.required | self.optional


GENERATORS: dict[str, Generator] = {}


Compute = Callable[[dict[str, Any], random.Random], dict[str, Any]]


def _register(
    required: str, optional: str = "", *, integer: bool = True
) -> Callable[[Compute], Compute]:
    def wrap(fn: Compute) -> Compute:
        name = fn.__name__
        GENERATORS[name] = Generator(
            name, frozenset(required.split()), frozenset(optional.split()), integer, fn
        )
        return fn

    return wrap


def _int(values: Mapping[str, Any], key: str, low: int = 1) -> int:
    v = values[key]
    if isinstance(v, bool) or not isinstance(v, int) or v < low:
        raise GeneratorError(f"{key} must be a whole number >= {low}, got {v!r}")
    return v


def _num(values: Mapping[str, Any], key: str) -> float:
    v = values[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise GeneratorError(f"{key} must be a number, got {v!r}")
    return float(v)


def _choice(values: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    v = values[key]
    if v not in allowed:
        raise GeneratorError(f"{key} must be one of {', '.join(allowed)}, got {v!r}")
    return str(v)


def conv_out(size: int, kernel: int, stride: int, padding: str) -> int:
    """Keras Conv2D/MaxPool output length along one axis."""
    if padding == "same":
        return math.ceil(size / stride)
    if kernel > size:
        raise GeneratorError(f"kernel {kernel} is larger than the input {size} (valid padding)")
    return (size - kernel) // stride + 1


@_register("size kernel stride padding")
def conv_output_size(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    padding = _choice(v, "padding", ("valid", "same"))
    out = conv_out(_int(v, "size"), _int(v, "kernel"), _int(v, "stride"), padding)
    return {"answer": out}


@_register("kernel in_channels filters")
def conv_params(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    k, c, f = _int(v, "kernel"), _int(v, "in_channels"), _int(v, "filters")
    weights = k * k * c * f
    return {"weights": weights, "biases": f, "answer": weights + f}


@_register("size kernel filters pool units")
def dense_params_after_flatten(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    conv = conv_out(_int(v, "size"), _int(v, "kernel"), 1, "valid")
    pool = _int(v, "pool")
    pooled = conv_out(conv, pool, pool, "valid")
    flat = pooled * pooled * _int(v, "filters")
    units = _int(v, "units")
    return {"conv_size": conv, "pooled_size": pooled, "flat": flat, "answer": flat * units + units}


@_register("size pool", "stride")
def maxpool_output_size(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    pool = _int(v, "pool")
    stride = _int(v, "stride") if "stride" in v else pool
    return {"stride": stride, "answer": conv_out(_int(v, "size"), pool, stride, "valid")}


def _random_probs(n: int, rng: random.Random) -> list[float]:
    """n probabilities with two decimals, each >= 0.01, summing to exactly 1."""
    weights = [rng.randint(1, 9) for _ in range(n)]
    cents = [max(1, round(100 * w / sum(weights))) for w in weights]
    top = cents.index(max(cents))
    cents[top] += 100 - sum(cents)
    return [c / 100 for c in cents]


@_register("classes true_class", "probs", integer=False)
def cross_entropy(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n, t = _int(v, "classes", 2), _int(v, "true_class", 0)
    if t >= n:
        raise GeneratorError(f"true_class {t} is not below classes {n}")
    probs = v.get("probs")
    if probs is None:
        probs = _random_probs(n, rng)
    if not isinstance(probs, list) or len(probs) != n:
        raise GeneratorError(f"probs must be a list of {n} numbers")
    probs = [_num({"p": p}, "p") for p in probs]
    if any(p <= 0 for p in probs) or abs(sum(probs) - 1) > 1e-6:
        raise GeneratorError("probs must be positive and sum to 1")
    p_true = probs[t]
    target = [1 if i == t else 0 for i in range(n)]
    return {"probs": probs, "target": target, "p_true": p_true, "answer": -math.log(p_true)}


@_register("index", "classes logits", integer=False)
def softmax_probability(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    logits = v.get("logits")
    if logits is None:
        n = _int(v, "classes", 2) if "classes" in v else 3
        logits = [rng.randint(-3, 4) for _ in range(n)]
    if not isinstance(logits, list) or len(logits) < 2:
        raise GeneratorError("logits must be a list of at least 2 numbers")
    logits = [_num({"z": z}, "z") for z in logits]
    i = _int(v, "index", 0)
    if i >= len(logits):
        raise GeneratorError(f"index {i} is outside the {len(logits)} logits")
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    return {"logits": logits, "classes": len(logits), "answer": exps[i] / sum(exps)}


@_register("rate", integer=False)
def dropout_scale(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    rate = _num(v, "rate")
    if not 0 <= rate < 1:
        raise GeneratorError(f"rate must be in [0, 1), got {rate}")
    return {"keep": 1 - rate, "answer": 1 / (1 - rate)}


@_register("pixel scheme", integer=False)
def normalized_pixel(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    pixel = _int(v, "pixel", 0)
    if pixel > 255:
        raise GeneratorError(f"pixel must be 0..255, got {pixel}")
    scheme = _choice(v, "scheme", ("center", "unit", "none"))
    value = {"center": pixel / 255 - 0.5, "unit": pixel / 255, "none": float(pixel)}[scheme]
    return {"answer": value}


@_register("layers", "kernel")
def receptive_field(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n = _int(v, "layers")
    k = _int(v, "kernel") if "kernel" in v else 3
    return {"kernel": k, "answer": n * (k - 1) + 1}


@_register("layers channels ask")
def stacked_vs_large_params(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n, c = _int(v, "layers"), _int(v, "channels")
    ask = _choice(v, "ask", ("stacked", "large"))
    large_kernel = 2 * n + 1
    stacked = n * (9 * c * c + c)
    large = large_kernel * large_kernel * c * c + c
    return {
        "large_kernel": large_kernel,
        "stacked_params": stacked,
        "large_params": large,
        "answer": stacked if ask == "stacked" else large,
    }


def run_generator(
    name: str, params: Mapping[str, Any], rng: random.Random | None = None
) -> dict[str, Any]:
    """All values of one draw (the parameters, what was derived, and `answer`)."""
    gen = GENERATORS.get(name)
    if gen is None:
        raise GeneratorError(f"unknown generator {name!r} (known: {', '.join(sorted(GENERATORS))})")
    missing = gen.required - params.keys()
    unknown = params.keys() - gen.accepted
    if missing:
        raise GeneratorError(f"generator {name} needs {', '.join(sorted(missing))}")
    if unknown:
        raise GeneratorError(f"generator {name} does not take {', '.join(sorted(unknown))}")
    values = dict(params)
    try:
        values.update(gen.compute(values, rng or random.Random(0)))
    except (ZeroDivisionError, OverflowError) as e:
        raise GeneratorError(f"generator {name} cannot compute these values: {e}") from e
    return values
