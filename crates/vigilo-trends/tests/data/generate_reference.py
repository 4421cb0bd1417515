"""Reference values for vigilo-trends' differential tests, computed independently with SciPy.

Run from this directory:  python3 generate_reference.py > reference.json
The output is committed; the Rust tests read it and need no Python.
"""

import json
import math
import sys

import numpy
import scipy
from scipy import stats

# (observed, expected): P(X >= observed) for X ~ Poisson(expected). Covers the monthly counts
# of a small fleet (expected ~1) up to a very large one (expected ~10^6), tails from ~1 down
# to underflow, and the degenerate expected = 0.
POISSON = [
    (0, 0.0), (0, 1.0), (0, 250.0), (1, 0.0), (3, 0.0),
    (1, 1e-4), (2, 1e-4), (1, 0.01), (2, 0.05), (1, 0.5),
    (2, 1.0), (4, 1.0), (5, 1.0), (7, 1.0), (3, 3.0),
    (9, 3.0), (14, 5.2), (12, 1.5), (20, 10.0), (30, 10.0),
    (1, 50.0), (40, 60.0), (50, 30.0), (100, 80.0), (200, 150.0),
    (150, 150.0), (300, 150.0), (1000, 900.0), (870, 900.0), (10000, 9800.0),
    (10500, 9800.0), (60, 1.2), (25, 0.37), (1, 1e-9), (6, 2.718281828),
    (18, 11.3333333333), (11, 4.2), (500, 20.0), (120000, 118000.0), (1000000, 998000.0),
]

# (current, current_exposure, baseline, baseline_exposure): the one-sided conditional test of
# a rate ratio > 1. p = current_exposure / (current_exposure + baseline_exposure) is computed
# here exactly as the Rust code computes it, so both sides test the same binomial.
BINOMIAL = [
    (0, 2000.0, 12, 24000.0), (1, 2000.0, 12, 24000.0), (3, 2000.0, 12, 24000.0),
    (5, 2000.0, 12, 24000.0), (8, 2000.0, 12, 24000.0), (14, 12000.0, 62, 144000.0),
    (2, 1000.0, 0, 12000.0), (3, 1000.0, 1, 12000.0), (6, 1000.0, 6, 12000.0),
    (30, 20000.0, 120, 240000.0), (25, 20000.0, 120, 240000.0), (10, 20000.0, 120, 240000.0),
    (1, 5.0, 0, 0.0001), (4, 0.5, 3, 1e6), (1, 1e-6, 0, 1e6), (7, 3.0, 7, 3.0),
    (40, 1.0, 10, 1.0), (120, 18000.0, 1200, 216000.0), (1100, 1e6, 12000, 12e6),
    (1250, 1e6, 12000, 12e6), (980, 1e6, 12000, 12e6), (5000, 2e6, 20000, 10e6),
    (60, 1750.5, 300, 20999.25), (2, 333.3, 9, 4100.7), (9, 333.3, 9, 4100.7),
    (100, 1000.0, 50, 9000.0), (10500, 1e6, 120000, 12e6), (86000, 1e7, 1000000, 1.2e8),
]

# (k_ratio, [(count, expected), ...]): Lucas' Poisson CUSUM, S_t = max(0, S_{t-1} + x_t - k_t)
# with k_t = expected_t * (r - 1) / ln r.
CUSUM = [
    (1.5, [(1, 1.0), (0, 1.0), (2, 1.0), (1, 1.0), (4, 1.0), (3, 1.0), (0, 1.0), (5, 1.0)]),
    (2.0, [(0, 0.2), (1, 0.2), (0, 0.25), (2, 0.3), (0, 0.3), (1, 0.35), (3, 0.4)]),
    (1.5, [(10, 10.0), (12, 10.5), (9, 11.0), (15, 11.5), (18, 12.0), (16, 12.5), (21, 13.0)]),
    (1.25, [(120, 100.0), (95, 101.0), (130, 102.0), (140, 103.0), (90, 104.0), (150, 105.0)]),
    (3.0, [(0, 0.0), (1, 0.0), (0, 0.5), (4, 0.5), (0, 0.5)]),
    (1.1, [(7, 6.2), (8, 6.2), (6, 6.3), (9, 6.3), (10, 6.4), (11, 6.4), (5, 6.5), (12, 6.6)]),
]


def poisson_case(observed, expected):
    # sf(k - 1) = P(X > k - 1) = P(X >= k); P(X >= 0) = 1 whatever the mean.
    p = 1.0 if observed == 0 else float(stats.poisson.sf(observed - 1, expected))
    return {"observed": observed, "expected": expected, "p": p}


def binomial_case(current, current_exposure, baseline, baseline_exposure):
    n = current + baseline
    prob = current_exposure / (current_exposure + baseline_exposure)
    p = 1.0 if current == 0 else float(
        stats.binomtest(current, n, prob, alternative="greater").pvalue
    )
    return {
        "current": current,
        "current_exposure": current_exposure,
        "baseline": baseline,
        "baseline_exposure": baseline_exposure,
        "p": p,
    }


def cusum_case(k_ratio, seq):
    s, out = 0.0, []
    factor = (k_ratio - 1.0) / math.log(k_ratio)
    for count, expected in seq:
        s = max(0.0, s + count - expected * factor)
        out.append(s)
    return {"k_ratio": k_ratio, "counts_and_expected": seq, "s": out}


def main():
    json.dump(
        {
            "generator": "generate_reference.py",
            "scipy": scipy.__version__,
            "numpy": numpy.__version__,
            "python": sys.version.split()[0],
            "poisson_upper": [poisson_case(*c) for c in POISSON],
            "conditional_binomial": [binomial_case(*c) for c in BINOMIAL],
            "cusum": [cusum_case(*c) for c in CUSUM],
        },
        sys.stdout,
        indent=1,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
