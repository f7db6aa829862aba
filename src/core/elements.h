/*
 * elements.h — element symbols and standard atomic weights, Z = 1..96.
 *
 * Masses are the IUPAC 2016 conventional atomic weights (the table ASE uses
 * as ase.data.atomic_masses), so that momenta and masses in files written by
 * ASE convert back to the velocities ASE meant.
 */
#ifndef MDB_ELEMENTS_H
#define MDB_ELEMENTS_H

/* Returns Z (1..96) of a case-sensitive symbol ("Cu", not "cu") and stores its
 * atomic weight in amu in *mass_amu (when not NULL); returns 0 for an unknown
 * symbol and leaves *mass_amu alone. */
int mdb_element_mass(const char *symbol, double *mass_amu);

/* Symbol of element z, or NULL when z is outside 1..96. */
const char *mdb_element_symbol(int z);

#endif
