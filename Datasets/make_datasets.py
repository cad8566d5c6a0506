#!/usr/bin/env python3
"""Make GradFlow's real data sets from the copies bundled inside scikit-learn.

Writes, into this script's folder (or --out DIR):

  digits01.csv        sklearn.datasets.load_digits, digits 0 and 1 only
                      (label -1 for digit 0, +1 for digit 1); n = 360, d = 64;
                      each row of x divided by its Euclidean norm.
  digits01-64.csv     the first 64 rows of digits01.csv (a small set for fast runs).
  breast_cancer.csv   sklearn.datasets.load_breast_cancer (UCI Breast Cancer
                      Wisconsin (Diagnostic)); n = 569, d = 30; each column
                      standardized to zero mean and unit variance (population
                      standard deviation, ddof = 0), then each row divided by
                      its Euclidean norm; label +1 malignant (sklearn target 0),
                      -1 benign (sklearn target 1).

Format (GradFlow's `--data` format): a header line `x1,...,xd,y`, then one line
per sample; every x is written with Python's repr(float), the shortest text that
reads back as exactly the same double; labels are written `1` / `-1`; lines end
with a single '\\n'. Rows keep scikit-learn's order.

Determinism: numpy only loads the bundled integer/decimal tables. All the
arithmetic (means, standard deviations, norms) is done on Python floats with
math.fsum (a correctly rounded sum) and math.sqrt (correctly rounded), and the
divisions are single IEEE operations, so the output does not depend on the
numpy build, the BLAS or the CPU's vector units.

Nothing is downloaded: both sets ship inside the scikit-learn wheel.

Usage:
  python3 Datasets/make_datasets.py            # (re)write the CSV files here
  python3 Datasets/make_datasets.py --out DIR  # write them into DIR
  python3 Datasets/make_datasets.py --check    # regenerate into a temporary
      folder and compare byte for byte with the committed files; exits 1 on any
      difference or missing file, 0 when all are identical.

Imports: numpy and scikit-learn, plus Python's standard library.
"""

import argparse
import hashlib
import math
import os
import sys
import tempfile

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_digits

HERE = os.path.dirname(os.path.abspath(__file__))

# The files this script makes, in the order it makes them.
FILES = ("digits01.csv", "digits01-64.csv", "breast_cancer.csv")


def _fmt(v):
    """Shortest round-tripping text of a double; never '-0.0'."""
    v = float(v)
    if not math.isfinite(v):
        raise ValueError("non-finite value %r" % v)
    if v == 0.0:
        v = 0.0  # turns -0.0 into 0.0
    return repr(v)


def _unit_rows(rows):
    """Divides each row (list of Python floats) by its Euclidean norm."""
    out = []
    for i, row in enumerate(rows):
        norm = math.sqrt(math.fsum(v * v for v in row))
        if norm == 0.0:
            raise ValueError("row %d has zero norm and cannot be normalized" % i)
        out.append([v / norm for v in row])
    return out


def _standardize_columns(rows):
    """Zero mean, unit (population) variance per column, on Python floats."""
    n = len(rows)
    d = len(rows[0])
    cols = [[rows[i][j] for i in range(n)] for j in range(d)]
    means = [math.fsum(c) / n for c in cols]
    stds = []
    for j, c in enumerate(cols):
        s = math.sqrt(math.fsum((v - means[j]) ** 2 for v in c) / n)
        if s == 0.0:
            raise ValueError("column %d is constant and cannot be standardized" % (j + 1))
        stds.append(s)
    return [[(rows[i][j] - means[j]) / stds[j] for j in range(d)] for i in range(n)]


def _to_python_rows(x):
    x = np.asarray(x, dtype=np.float64)
    return [[float(v) for v in row] for row in x]


def digits01():
    """Digits 0 and 1 from sklearn's bundled digits; label +1 for 1, -1 for 0."""
    bunch = load_digits()
    x, t = bunch.data, bunch.target
    keep = [i for i in range(len(t)) if int(t[i]) in (0, 1)]
    rows = _unit_rows(_to_python_rows(x[keep]))
    labels = [1 if int(t[i]) == 1 else -1 for i in keep]
    return rows, labels


def breast_cancer():
    """Wisconsin diagnostic breast cancer; +1 malignant (target 0), -1 benign (target 1)."""
    bunch = load_breast_cancer()
    names = list(bunch.target_names)
    if names != ["malignant", "benign"]:
        raise RuntimeError("unexpected target_names %r; the label mapping assumes "
                           "['malignant', 'benign']" % (names,))
    x, t = bunch.data, bunch.target
    rows = _unit_rows(_standardize_columns(_to_python_rows(x)))
    labels = [1 if int(v) == 0 else -1 for v in t]
    return rows, labels


def _csv_text(rows, labels):
    d = len(rows[0])
    lines = [",".join(["x%d" % (j + 1) for j in range(d)] + ["y"])]
    for row, y in zip(rows, labels):
        if y not in (1, -1):
            raise ValueError("label %r is not +-1" % (y,))
        lines.append(",".join([_fmt(v) for v in row] + [str(y)]))
    return "\n".join(lines) + "\n"


def build():
    """Returns {file name: (text, n, d)}."""
    dr, dl = digits01()
    br, bl = breast_cancer()
    sets = {
        "digits01.csv": (dr, dl),
        "digits01-64.csv": (dr[:64], dl[:64]),
        "breast_cancer.csv": (br, bl),
    }
    return {name: (_csv_text(r, l), len(r), len(r[0])) for name, (r, l) in sets.items()}


def write_all(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    made = build()
    for name in FILES:
        text, n, d = made[name]
        path = os.path.join(out_dir, name)
        with open(path, "w", encoding="ascii", newline="\n") as f:
            f.write(text)
        digest = hashlib.sha256(text.encode("ascii")).hexdigest()
        print("wrote %s: n = %d, d = %d, sha256 %s" % (path, n, d, digest))


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check(committed_dir):
    with tempfile.TemporaryDirectory(prefix="gradflow-datasets-") as tmp:
        made = build()
        bad = 0
        for name in FILES:
            text, n, d = made[name]
            fresh = os.path.join(tmp, name)
            with open(fresh, "w", encoding="ascii", newline="\n") as f:
                f.write(text)
            committed = os.path.join(committed_dir, name)
            if not os.path.exists(committed):
                print("MISSING %s (regenerate with: python3 %s)" % (committed, sys.argv[0]))
                bad += 1
                continue
            with open(fresh, "rb") as f:
                a = f.read()
            with open(committed, "rb") as f:
                b = f.read()
            if a == b:
                print("identical %s: n = %d, d = %d, sha256 %s" % (name, n, d, _sha256(committed)))
            else:
                print("DIFFERS %s: committed sha256 %s, regenerated sha256 %s"
                      % (name, _sha256(committed), _sha256(fresh)))
                bad += 1
    print("scikit-learn %s, numpy %s: %d of %d files identical"
          % (sklearn.__version__, np.__version__, len(FILES) - bad, len(FILES)))
    return 1 if bad else 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true",
                   help="regenerate into a temporary folder and compare byte for byte "
                        "with the committed files; exit 1 on any difference")
    p.add_argument("--out", default=HERE,
                   help="folder to write to, or (with --check) to compare against "
                        "(default: this script's folder)")
    args = p.parse_args(argv)
    if args.check:
        return check(args.out)
    write_all(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
