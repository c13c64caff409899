"""A computed question whose ranges reach past a generator's bounds fails `kviz bank check`,
even when the random trial draws happen to stay inside them."""

from __future__ import annotations

import textwrap

from kviz.bank.loader import check_files

BODY = """\
topic: pooling_shapes
title: Pooling
questions:
  - id: pool-900
    type: computed
    difficulty: 2
    generator: maxpool_output_size
    params:
      size: {min: 2, max: 1025}
      pool: [2]
    prompt: "A {size}x{size} map goes through MaxPooling2D(2). Height?"
    explanation: "{answer}"
"""


def test_the_top_of_a_range_is_tried(tmp_path):
    path = tmp_path / "pooling_shapes.yaml"
    path.write_text(BODY, encoding="utf-8")
    (problem,) = [str(p) for p in check_files([path])]
    assert "pool-900: size must be a whole number from 1 to 1024, got 1025" in problem


def test_a_range_inside_the_bounds_passes(tmp_path):
    path = tmp_path / "pooling_shapes.yaml"
    path.write_text(textwrap.dedent(BODY).replace("1025", "1024"), encoding="utf-8")
    assert check_files([path]) == []
