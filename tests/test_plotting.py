import numpy as np
import pytest

from modelcollapse import plotting


def test_simplex_coordinates_put_the_vertices_on_a_triangle():
    x, y = plotting.simplex_coordinates(np.eye(3))
    np.testing.assert_allclose(x, [0, 1, 0.5])
    np.testing.assert_allclose(y, [0, 0, np.sqrt(3) / 2])
    # The barycentre lands on the centroid.
    cx, cy = plotting.simplex_coordinates(np.full(3, 1 / 3))
    assert cx == pytest.approx(0.5) and cy == pytest.approx(np.sqrt(3) / 6)


def test_simplex_coordinates_need_three_tokens():
    with pytest.raises(ValueError, match="^p must have 3 tokens"):
        plotting.simplex_coordinates(np.full(4, 0.25))
