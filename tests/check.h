/*
 * check.h — the few assertions the C tests use.
 *
 * Each CHECK prints the failing expression with both numbers and the stated
 * tolerance; a test's main returns check_report(), which prints
 * "N passed, N failed" and gives 0 only when nothing failed.
 */
#ifndef MDB_TEST_CHECK_H
#define MDB_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_pass_, check_fail_;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      check_pass_++;                                                           \
    } else {                                                                   \
      check_fail_++;                                                           \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* |a - b| <= tol */
#define CHECK_ABS(a, b, tol)                                                                                     \
  do {                                                                                                           \
    double a_ = (a), b_ = (b), t_ = (tol);                                                                       \
    if (fabs(a_ - b_) <= t_) {                                                                                   \
      check_pass_++;                                                                                             \
    } else {                                                                                                     \
      check_fail_++;                                                                                             \
      fprintf(stderr, "%s:%d: %s = %.17g, %s = %.17g, |diff| %.3g > %.3g\n", __FILE__, __LINE__, #a, a_, #b, b_, \
              fabs(a_ - b_), t_);                                                                                \
    }                                                                                                            \
  } while (0)

/* |a - b| <= tol * max(|a|, |b|, floor) */
#define CHECK_REL(a, b, tol, floor)                                                                                \
  do {                                                                                                             \
    double a_ = (a), b_ = (b), t_ = (tol), s_ = fmax(fmax(fabs(a_), fabs(b_)), (floor));                           \
    if (fabs(a_ - b_) <= t_ * s_) {                                                                                \
      check_pass_++;                                                                                               \
    } else {                                                                                                       \
      check_fail_++;                                                                                               \
      fprintf(stderr, "%s:%d: %s = %.17g, %s = %.17g, rel diff %.3g > %.3g\n", __FILE__, __LINE__, #a, a_, #b, b_, \
              fabs(a_ - b_) / s_, t_);                                                                             \
    }                                                                                                              \
  } while (0)

/* Aborts the test when a library call fails: nothing after it can be trusted. */
#define REQUIRE_OK(call, errp)                                                           \
  do {                                                                                   \
    if ((call) != 0) {                                                                   \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, (errp)->msg); \
      exit(1);                                                                           \
    }                                                                                    \
  } while (0)

static inline int check_report(void) {
  printf("%d passed, %d failed\n", check_pass_, check_fail_);
  return check_fail_ ? 1 : 0;
}

#endif
