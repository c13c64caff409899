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

from kviz.bank.formula import FormulaError, evaluate

Compute = Callable[[dict[str, Any], random.Random], dict[str, Any]]


class GeneratorError(ValueError):
    """Parameters a generator cannot work with (missing, unknown or out of range)."""


@dataclass(frozen=True)
class Generator:
    """One named calculation, with the parameters it needs and accepts."""

    name: str
    required: frozenset[str]
    optional: frozenset[str]
    integer: bool  # True when every answer is a whole number
    compute: Compute
    open_params: bool = False  # takes any extra parameter (the formula's own variables)

    @property
    def accepted(self) -> frozenset[str]:
        return self.required | self.optional


GENERATORS: dict[str, Generator] = {}


def _register(
    required: str, optional: str = "", *, integer: bool = True, open_params: bool = False
) -> Callable[[Compute], Compute]:
    def wrap(fn: Compute) -> Compute:
        name = fn.__name__
        GENERATORS[name] = Generator(
            name,
            frozenset(required.split()),
            frozenset(optional.split()),
            integer,
            fn,
            open_params,
        )
        return fn

    return wrap


# Upper bounds on every parameter: a bank file (perhaps from another app) can never make a
# generator run long or build huge lists. Wide enough for any CNN a beginner meets.
MAX_SIZE = 1024  # input height/width
MAX_WINDOW = 64  # kernel, pool and stride
MAX_WIDTH = 4096  # channels, filters, units
MAX_CLASSES = 100
MAX_LAYERS = 50
MAX_LOGIT = 1000.0
PROB_ROUNDING = 0.01  # how far from 1 given probabilities may sum (rounding, not a mistake)


def _show(v: Any) -> str:
    """A short, cheap description of a bad value: never the repr of something huge."""
    if isinstance(v, bool | float) or (isinstance(v, int) and abs(v) < 10**12):
        return repr(v)
    if isinstance(v, int):
        return f"a {v.bit_length()}-bit number"
    if isinstance(v, str):
        return repr(v[:40] + "...") if len(v) > 40 else repr(v)
    if isinstance(v, list | tuple | dict):
        return f"a {type(v).__name__} of {len(v)} items"
    return f"a {type(v).__name__}"


def _int(values: Mapping[str, Any], key: str, low: int = 1, high: int = MAX_WIDTH) -> int:
    v = values[key]
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise GeneratorError(f"{key} must be a whole number from {low} to {high}, got {_show(v)}")
    return v


def _num(values: Mapping[str, Any], key: str, bound: float = MAX_LOGIT) -> float:
    v = values[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not -bound <= v <= bound:
        raise GeneratorError(f"{key} must be a number from {-bound:g} to {bound:g}, got {_show(v)}")
    return float(v)


def _numbers(values: Mapping[str, Any], key: str, count: int | None = None) -> list[float]:
    v = values[key]
    if not isinstance(v, list) or not 2 <= len(v) <= MAX_CLASSES:
        raise GeneratorError(f"{key} must be a list of 2 to {MAX_CLASSES} numbers, got {_show(v)}")
    if count is not None and len(v) != count:
        raise GeneratorError(f"{key} must be a list of {count} numbers, got {len(v)}")
    return [_num({key: x}, key) for x in v]


def _choice(values: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    v = values[key]
    if v not in allowed:
        raise GeneratorError(f"{key} must be one of {', '.join(allowed)}, got {_show(v)}")
    return str(v)


def _size(values: Mapping[str, Any], key: str) -> int:
    return _int(values, key, 1, MAX_SIZE)


def _window(values: Mapping[str, Any], key: str, default: int | None = None) -> int:
    if key not in values and default is not None:
        return default
    return _int(values, key, 1, MAX_WINDOW)


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
    out = conv_out(_size(v, "size"), _window(v, "kernel"), _window(v, "stride"), padding)
    return {"answer": out}


@_register("height width kernel_h kernel_w stride padding filters ask")
def conv_output_hw(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A non-square input (or kernel): height and width are computed each on its own axis."""
    padding = _choice(v, "padding", ("valid", "same"))
    stride = _window(v, "stride")
    out_h = conv_out(_size(v, "height"), _window(v, "kernel_h"), stride, padding)
    out_w = conv_out(_size(v, "width"), _window(v, "kernel_w"), stride, padding)
    values = out_h * out_w * _int(v, "filters")
    ask = _choice(v, "ask", ("height", "width", "values"))
    answer = {"height": out_h, "width": out_w, "values": values}[ask]
    return {"out_height": out_h, "out_width": out_w, "values": values, "answer": answer}


@_register("kernel in_channels filters")
def conv_params(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    k, c, f = _window(v, "kernel"), _int(v, "in_channels"), _int(v, "filters")
    weights = k * k * c * f
    return {"weights": weights, "biases": f, "answer": weights + f}


@_register("size kernel filters pool units")
def dense_params_after_flatten(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    conv = conv_out(_size(v, "size"), _window(v, "kernel"), 1, "valid")
    pool = _window(v, "pool")
    pooled = conv_out(conv, pool, pool, "valid")
    flat = pooled * pooled * _int(v, "filters")
    units = _int(v, "units")
    return {"conv_size": conv, "pooled_size": pooled, "flat": flat, "answer": flat * units + units}


@_register("height width channels pool units", "stride padding")
def dense_params_after_pool(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Input -> MaxPooling2D -> Flatten -> Dense, with no convolution in between."""
    pool = _window(v, "pool")
    stride = _window(v, "stride", pool)
    padding = _choice(v, "padding", ("valid", "same")) if "padding" in v else "valid"
    out_h = conv_out(_size(v, "height"), pool, stride, padding)
    out_w = conv_out(_size(v, "width"), pool, stride, padding)
    flat = out_h * out_w * _int(v, "channels")
    units = _int(v, "units")
    return {
        "stride": stride,
        "padding": padding,
        "pooled_height": out_h,
        "pooled_width": out_w,
        "flat": flat,
        "answer": flat * units + units,
    }


@_register("size pool", "stride padding")
def maxpool_output_size(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    pool = _window(v, "pool")
    stride = _window(v, "stride", pool)
    padding = _choice(v, "padding", ("valid", "same")) if "padding" in v else "valid"
    return {
        "stride": stride,
        "padding": padding,
        "answer": conv_out(_size(v, "size"), pool, stride, padding),
    }


@_register("channels ask")
def batchnorm_params(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """BatchNormalization keeps gamma, beta (trained) and moving mean, variance (not trained)."""
    c = _int(v, "channels")
    ask = _choice(v, "ask", ("total", "trainable", "non_trainable"))
    counts = {"total": 4 * c, "trainable": 2 * c, "non_trainable": 2 * c}
    return {"trainable": 2 * c, "non_trainable": 2 * c, "total": 4 * c, "answer": counts[ask]}


def _random_probs(n: int, rng: random.Random) -> list[float]:
    """n probabilities with two decimals (three above 20 classes), each > 0, summing to 1.

    Every class gets one unit; the rest is shared in proportion to random weights by largest
    remainders. One pass over the classes (plus a sort), so the cost grows as n log n.
    """
    units = 100 if n <= 20 else 1000
    weights = [rng.randint(1, 9) for _ in range(n)]
    total, spare = sum(weights), units - n
    shares = [spare * w / total for w in weights]
    counts = [1 + math.floor(s) for s in shares]
    by_remainder = sorted(range(n), key=lambda i: shares[i] - math.floor(shares[i]), reverse=True)
    for i in by_remainder[: units - sum(counts)]:
        counts[i] += 1
    return [c / units for c in counts]


@_register("classes true_class", "probs", integer=False)
def cross_entropy(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """-log of the true class's probability, after dividing by the sum as Keras does.

    Keras's categorical cross-entropy (from_logits=False) divides the predictions by their
    sum, so probabilities printed with a few decimals (summing to 0.999999) are accepted; a sum
    further from 1 than rounding explains is a mistake in the question and is refused.
    """
    n = _int(v, "classes", 2, MAX_CLASSES)
    t = _int(v, "true_class", 0, MAX_CLASSES - 1)
    if t >= n:
        raise GeneratorError(f"true_class {t} is not below classes {n}")
    probs = _numbers(v, "probs", n) if "probs" in v else _random_probs(n, rng)
    if any(p <= 0 for p in probs):
        raise GeneratorError("probs must all be above 0")
    total = math.fsum(probs)
    if abs(total - 1) > PROB_ROUNDING:
        raise GeneratorError(f"probs sum to {total:.6g}, not 1 (up to rounding of {PROB_ROUNDING})")
    p_true = probs[t] / total
    target = [0] * n
    target[t] = 1
    return {"probs": probs, "target": target, "p_true": p_true, "answer": -math.log(p_true)}


@_register("index", "classes logits", integer=False)
def softmax_probability(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    if "logits" in v:
        logits = _numbers(v, "logits")
    else:
        n = _int(v, "classes", 2, MAX_CLASSES) if "classes" in v else 3
        logits = [float(rng.randint(-3, 4)) for _ in range(n)]
    i = _int(v, "index", 0, MAX_CLASSES - 1)
    if i >= len(logits):
        raise GeneratorError(f"index {i} is outside the {len(logits)} logits")
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    return {"logits": logits, "classes": len(logits), "answer": exps[i] / math.fsum(exps)}


@_register("rate", integer=False)
def dropout_scale(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    rate = _num(v, "rate", 1.0)
    if not 0 <= rate < 1:
        raise GeneratorError(f"rate must be in [0, 1), got {rate}")
    return {"keep": 1 - rate, "answer": 1 / (1 - rate)}


@_register("pixel scheme", integer=False)
def normalized_pixel(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    pixel = _int(v, "pixel", 0, 255)
    scheme = _choice(v, "scheme", ("center", "unit", "none"))
    value = {"center": pixel / 255 - 0.5, "unit": pixel / 255, "none": float(pixel)}[scheme]
    return {"answer": value}


@_register("layers", "kernel")
def receptive_field(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n = _int(v, "layers", 1, MAX_LAYERS)
    k = _window(v, "kernel", 3)
    return {"kernel": k, "answer": n * (k - 1) + 1}


@_register("layers channels ask")
def stacked_vs_large_params(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n, c = _int(v, "layers", 1, MAX_LAYERS), _int(v, "channels")
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


@_register("expression", integer=False, open_params=True)
def formula(v: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A Moodle calculated question's formula over its own variables (imported questions).

    `value_1`, `value_2`... are further formulas shown in the texts (Moodle's `{=...}`)."""
    out: dict[str, Any] = {}
    for name in ["expression", *sorted(k for k in v if k.startswith("value_"))]:
        expression = v[name]
        if not isinstance(expression, str):
            raise GeneratorError(f"{name} must be a formula such as {{a}} * {{b}}")
        try:
            out["answer" if name == "expression" else name] = evaluate(expression, v)
        except FormulaError as e:
            raise GeneratorError(f"{name}: {e}") from None
    return out


def run_generator(
    name: str, params: Mapping[str, Any], rng: random.Random | None = None
) -> dict[str, Any]:
    """All values of one draw (the parameters, what was derived, and `answer`)."""
    gen = GENERATORS.get(name)
    if gen is None:
        raise GeneratorError(f"unknown generator {name!r} (known: {', '.join(sorted(GENERATORS))})")
    missing = gen.required - params.keys()
    unknown = set() if gen.open_params else params.keys() - gen.accepted
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
