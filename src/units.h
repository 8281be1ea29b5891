/*
 * units.h - units of a power of a quantity, in UDUNITS-2 syntax (the `units` attribute of /square
 * and /cube, from the input's). Pure: no MPI, no HDF5.
 */
#ifndef SQCUBE_UNITS_H
#define SQCUBE_UNITS_H

#include <stddef.h>

/* Writes the units of x^power, given x's units, into out (len bytes):
 *   - a product of named units with integer exponents, the factors separated by spaces, '.' or
 *     '*', an exponent written as a suffix ("m2", "s-1"), after '^' or "**", and '/' dividing by
 *     the next factor, becomes each factor with its exponent times power: "K" -> "K2",
 *     "m s-1" -> "m2 s-2", "kg/m2" -> "kg m-2" (x power), "1" -> "1";
 *   - anything else UDUNITS reads (a scaled unit "0.01 m", a parenthesised one) becomes
 *     "(units)power": "(1e-3 kg)2".
 * Returns 0, or -1 when there are no units to raise: empty, a time reference ("days since
 * 2000-01-01", which no power of is a unit), or a result longer than len (out is then ""). */
int sq_units_power(const char *units, int power, char *out, size_t len);

#endif
