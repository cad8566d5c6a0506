"""The peer problem (../shared/peers/problem.py), copied so that CI needs only this repo.

numpy.random.default_rng(seed) draws, in order: X (n x d, rows normalised), y in {-1,+1}^n,
W0 (m x d) ~ N(0, 1), a in {-1,+1}^m.  f(x) = m^{-1/2} sum_r a_r relu(w_r . x),
L = 1/2 sum_i (f(x_i) - y_i)^2.  "small": n=20, d=10, m=2000; "medium": n=256, d=64, m=4096.
"""
import math
import os

import numpy as np

SIZES = {"small": (20, 10, 2000), "medium": (256, 64, 4096), "wide": (64, 10, 100000)}


def make_problem(n, d, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.choice([-1.0, 1.0], size=n)
    W = rng.standard_normal((m, d))
    a = rng.choice([-1.0, 1.0], size=m)
    return X, y, W, a


def h_infinity(X):
    G = np.clip(X @ X.T, -1.0, 1.0)
    return G * (math.pi - np.arccos(G)) / (2.0 * math.pi)


def lambda0(X):
    return float(np.linalg.eigvalsh(h_infinity(X))[0])


def empirical_ntk(X, W):
    m = W.shape[0]
    A = (X @ W.T >= 0).astype(np.float64)
    return (X @ X.T) * (A @ A.T) / m


def write_csvs(directory, n, d, m, seed):
    """Writes data.csv (x1..xd,y), W0.csv (m rows of d) and a.csv for `gradflow --data
    --weights --output-weights`; returns the directory. Reuses existing files."""
    os.makedirs(directory, exist_ok=True)
    paths = [os.path.join(directory, f) for f in ("data.csv", "W0.csv", "a.csv")]
    if not all(os.path.exists(p) for p in paths):
        X, y, W, a = make_problem(n, d, m, seed)
        np.savetxt(paths[0], np.hstack([X, y[:, None]]), delimiter=",", fmt="%.17g")
        np.savetxt(paths[1], W, delimiter=",", fmt="%.17g")
        np.savetxt(paths[2], a[:, None], delimiter=",", fmt="%.17g")
    return directory
