"""Accuracy axes zoom to the range the data uses (MNIST models sit at 90-99%), never past
100% or below 0, and every accuracy chart goes through the one helper."""

from __future__ import annotations

import math

import pytest

from kviz.ui.charts import accuracy_limits


def test_limits_hug_the_data_with_a_margin():
    low, high = accuracy_limits([0.95, 0.97, 0.962])  # one point of room each side
    assert low == pytest.approx(0.94) and high == pytest.approx(0.98)
    low, high = accuracy_limits([0.95, 0.97], margin=0.02)
    assert low == pytest.approx(0.93) and high == pytest.approx(0.99)


def test_a_wide_spread_gets_room_in_proportion():
    low, high = accuracy_limits([0.5, 0.9])  # 15% of the 0.4 spread
    assert low == pytest.approx(0.44) and high == pytest.approx(0.96)


def test_limits_are_capped_at_the_ends_of_the_scale():
    assert accuracy_limits([0.99, 1.0]) == (pytest.approx(0.98), 1.0)
    assert accuracy_limits([0.01, 0.5]) == (0.0, pytest.approx(0.5735))
    assert accuracy_limits([96.0, 99.5], scale=100) == (pytest.approx(95.0), 100.0)


def test_no_data_or_only_nan_shows_the_whole_range():
    assert accuracy_limits([]) == (0.0, 1.0)
    assert accuracy_limits([math.nan], scale=100) == (0.0, 100.0)


def test_zoom_sets_the_chosen_axis(qapp):
    from matplotlib.figure import Figure

    from kviz.ui.charts import zoom_accuracy

    ax = Figure().add_subplot()
    zoom_accuracy(ax, [90.0, 95.0], axis="x", scale=100)
    assert ax.get_xlim() == pytest.approx((89.0, 96.0))
    zoom_accuracy(ax, [0.5, 0.6])
    assert ax.get_ylim() == pytest.approx((0.485, 0.615))
