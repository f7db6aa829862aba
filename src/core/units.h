/*
 * units.h — the one place where unit conversions are defined.
 *
 * Internal units are the user-facing ones: length Å, energy eV, mass amu,
 * time fs, temperature K. Newton's law in these units needs one factor:
 *   a [Å/fs²] = F [eV/Å] / m [amu] * MDB_FTM2V
 * Constants are CODATA 2018 (exact SI definitions of e, kB; u from CODATA).
 */
#ifndef MDB_UNITS_H
#define MDB_UNITS_H

#define MDB_EV_J 1.602176634e-19     /* J per eV (exact) */
#define MDB_AMU_KG 1.66053906660e-27 /* kg per amu (CODATA 2018) */
#define MDB_KB_EV 8.617333262e-5     /* Boltzmann constant, eV/K */

/* eV/(Å·amu) -> Å/fs²: e / (u · 1e-10 m) gives m/s²; · 1e10 Å/m · 1e-30 s²/fs² */
#define MDB_FTM2V (MDB_EV_J / MDB_AMU_KG * 1e-10)
/* amu·Å²/fs² -> eV */
#define MDB_MVV2E (1.0 / MDB_FTM2V)
/* eV/Å³ -> bar: e * 1e30 Pa / 1e5 */
#define MDB_EVA3_TO_BAR (MDB_EV_J * 1e25)
/* amu/Å³ -> g/cm³ */
#define MDB_AMUA3_TO_GCM3 (MDB_AMU_KG * 1e3 / 1e-24)
/* fs -> ns per day: steps/s * dt_fs * 86400 s/day * 1e-6 ns/fs */
#define MDB_FS_PER_DAY_TO_NS 8.64e-2

#endif
