"""Exact moments of a list of numbers, correctly rounded to float64, for checking sqcube.

exact_moments(values, powers="exact") -> dict with mean, variance, sample_variance, std, skewness
(floats) computed in exact rational arithmetic (fractions.Fraction) and rounded once to nearest,
ties to even, by rules independent of sqcube's C code:
  mean = S1/N; variance = (N S2 - S1^2)/N^2 (population); sample_variance = (N S2 - S1^2)/(N(N-1));
  std = sqrt(variance); skewness = m3 / m2^(3/2), m3 = (N^2 S3 - 3 N S1 S2 + 2 S1^3)/N^3.
Rules (docs and src/moments.h): N = 0 all NaN; any NaN/Inf input: mean by IEEE rules on the sum,
the rest NaN; N = 1: variance 0, std 0, sample_variance NaN, skewness NaN; variance 0: skewness NaN.

powers="exact": S2, S3 are the sums of the exact x^2, x^3 (the data's moments).
powers="stored": S2, S3 are the sums of the float64 values sqcube stores for float input,
fl(x*x) and fl(fl(x*x)*x): the moments sqcube derives without corrections; a negative variance
(possible only then) is reported as 0.0, and an overflowed stored square (cube) makes the moments
that use it NaN.
Integers (Python int) are taken exactly; floats exactly as the binary64 values they are.
"""
import math
from fractions import Fraction

NAN = float("nan")


def to_float(q):
    """The float64 nearest to the Fraction q, ties to even (int / int true division in CPython
    is correctly rounded, subnormals included)."""
    if q == 0:
        return 0.0
    try:
        return q.numerator / q.denominator
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def sqrt_to_float(q):
    """The float64 nearest to sqrt(q) for a Fraction q >= 0: an integer square root with 60+
    bits, then one correct rounding of a value that carries a sticky half-unit when inexact."""
    if q < 0:
        raise ValueError("negative")
    if q == 0:
        return 0.0
    p, d = q.numerator, q.denominator
    # choose s with isqrt(p * 4^s / d) >= 2^62
    s = max(0, (124 - (p.bit_length() - d.bit_length())) // 2 + 2)
    while True:
        num = p << (2 * s)
        r = math.isqrt(num // d)
        if r.bit_length() >= 62:
            break
        s += 8
    exact = r * r * d == num
    if exact:
        return to_float(Fraction(r, 1 << s))
    return to_float(Fraction(2 * r + 1, 1 << (s + 1)))


def _stored_square(x):
    return x * x  # Python floats: IEEE binary64, round to nearest


def exact_moments(values, powers="exact"):
    out = {k: NAN for k in ("mean", "variance", "sample_variance", "std", "skewness")}
    n = len(values)
    if n == 0:
        return out
    floats = any(isinstance(v, float) for v in values)
    if floats:
        values = [float(v) for v in values]
        if any(not math.isfinite(v) for v in values):
            nan = any(math.isnan(v) for v in values)
            pinf = any(v == math.inf for v in values)
            ninf = any(v == -math.inf for v in values)
            out["mean"] = NAN if nan or (pinf and ninf) else (math.inf if pinf else -math.inf)
            return out
    s1 = sum(Fraction(v) for v in values)
    out["mean"] = to_float(s1 / n)
    ok2 = ok3 = True
    if floats and powers == "stored":
        sq = [_stored_square(v) for v in values]
        cu = [q * v for q, v in zip(sq, values)]
        ok2 = all(math.isfinite(q) for q in sq)
        ok3 = all(math.isfinite(c) for c in cu)
        s2 = sum(Fraction(q) for q in sq) if ok2 else None
        s3 = sum(Fraction(c) for c in cu) if ok3 else None
    else:
        s2 = sum(Fraction(v) ** 2 for v in values)
        s3 = sum(Fraction(v) ** 3 for v in values)
    if not ok2:
        return out
    pv = n * s2 - s1 * s1  # N^2 m2
    if pv < 0:  # only from rounded stored squares
        out.update(variance=0.0, std=0.0, sample_variance=0.0 if n > 1 else NAN)
        return out
    m2 = pv / (n * n)
    out["variance"] = to_float(m2)
    out["sample_variance"] = to_float(pv / (n * (n - 1))) if n > 1 else NAN
    out["std"] = sqrt_to_float(m2)
    if not ok3 or m2 == 0:
        return out
    m3 = (n * n * s3 - 3 * n * s1 * s2 + 2 * s1 ** 3) / n ** 3
    g = sqrt_to_float(m3 * m3 / m2 ** 3)
    out["skewness"] = -g if m3 < 0 else g
    return out
