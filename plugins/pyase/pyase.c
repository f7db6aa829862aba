/*
 * pyase.c — any ASE calculator inside mdbench's process: a calculator plugin
 * (include/mdbench/calculator.h, ABI 3) that embeds Python.
 *
 *   plugin:lib=PATH/libmdbench_pyase.so,calc=MODULE:CALLABLE[,python=PATH][,threads=N][,KEY=VALUE...]
 *
 * The keys are the `ase:` calculator's (src/calc/ase.c): calc names the
 * factory, CALLABLE(**kwargs) is called once, every other key is a keyword
 * argument (integers and decimals become numbers, true/false booleans, none
 * None, anything else a string). The `ase:` worker's process keys timeout
 * and log have no meaning here and are refused. Other keys:
 *   python       the plugin's own Python (the one CMake built it with) or a
 *                virtual environment of the same X.Y version (its
 *                site-packages are used: /opt/ml/bin/python); default the
 *                plugin's own; one per process
 *   threads      OMP_NUM_THREADS, MKL_NUM_THREADS, OPENBLAS_NUM_THREADS set
 *                before Python starts, and torch.set_num_threads(N) when the
 *                model loaded torch; default: the environment as it is
 *   deepbind     true: extension modules are loaded RTLD_DEEPBIND, so that
 *                one that bundles its own copy of a library mdbench links
 *                (h5py's wheel has its own HDF5, which CHGNet imports) uses
 *                its copy, not mdbench's ("ValueError: Not a datatype");
 *                default true, false under AddressSanitizer (which refuses
 *                RTLD_DEEPBIND)
 *
 * The model's own time (the calculator call alone, as the `ase:` worker
 * times it) goes back in mdb_plugin_result.model_ms (ABI 3): the result
 * then has raw.model_ms and the step split, as for `ase:`.
 *
 * Why: the `ase:` worker costs 57–70 µs per step of inter-process wakeups and
 * worker Python around a model that does nothing (docs/ml-results.md). Here a
 * step is: the locals' continuous positions (x_unwrapped, in input order by
 * atom_ids) written straight into the Atoms' positions array, then
 * calc.reset(); calc.calculate(atoms, props, ["positions"]) (as the worker
 * does; get_potential_energy/get_forces for a calculator without that
 * interface), then energy, forces (added to the locals; ghosts get none, so
 * mdbench's fold is a no-op) and, when asked, the virial W = −V·σ from the
 * stress σ (ASE: σ = (1/V) ∂E/∂ε; mdbench: W_ab = Σ x_a f_b, so a compressed
 * crystal has σ < 0 and W > 0). A calculator without stress gives a NaN
 * virial, so that mdbench reports no pressure and refuses NPT (as `ase:`).
 *
 * Python: initialised once per process as Py_InitializeEx(0) does (no signal
 * handlers: mdbench's SIGINT/SIGTERM handling stays; PyConfig, to honour
 * python=), never finalised (numpy
 * and torch cannot be re-initialised; the interpreter's memory is released at
 * exit). The thread that initialised it keeps the GIL: mdbench calls a
 * calculator from one thread. libpython is promoted to RTLD_GLOBAL before
 * anything is imported, because mdbench opens plugins RTLD_LOCAL and
 * extension modules (numpy) expect libpython's symbols to be global.
 *
 * Errors: a module that does not import, a missing callable, a keyword the
 * calculator does not take, a constructor that raises: init fails with one
 * line naming the module and the Python (exit 2). An exception in a step
 * fails that step with the exception's last line.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef _GNU_SOURCE /* pyconfig.h defines it */
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mdbench/calculator.h"

#ifndef MDB_PYASE_PYTHON
#define MDB_PYASE_PYTHON "python3"
#endif

/* Python run once in __main__'s namespace copy: the factory with the `ase:`
 * worker's checks (python/mdbench_ase_worker.py), the Atoms, and the slow
 * path for calculators without calculate/results. */
static const char helper_src[] =
    "import importlib, inspect, sys, traceback\n"
    "import numpy as np\n"
    "def last_line(exc):\n"
    "    return traceback.format_exception_only(type(exc), exc)[-1].strip()\n"
    "def check_keywords(factory, kwargs):\n"
    "    from ase.calculators.calculator import Calculator\n"
    "    if not (inspect.isclass(factory) and issubclass(factory, Calculator)):\n"
    "        return\n"
    "    valid = set(getattr(factory, 'default_parameters', {}) or {})\n"
    "    for klass in inspect.getmro(factory):\n"
    "        init = klass.__dict__.get('__init__')\n"
    "        if init is None:\n"
    "            continue\n"
    "        for p in inspect.signature(init).parameters.values():\n"
    "            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != 'self':\n"
    "                valid.add(p.name)\n"
    "    bad = sorted(k for k in kwargs if k not in valid)\n"
    "    if bad:\n"
    "        raise RuntimeError(f\"{factory.__name__} has no keyword argument {bad[0]!r} \"\n"
    "                           f\"(valid: {', '.join(sorted(valid)) or 'none'})\")\n"
    "def make(spec, kwargs, threads):\n"
    "    modname, _, attr = spec.partition(':')\n"
    "    try:\n"
    "        module = importlib.import_module(modname)\n"
    "    except Exception as exc:\n"
    "        raise RuntimeError(f'cannot import {modname}: {last_line(exc)}') from None\n"
    "    factory = getattr(module, attr, None)\n"
    "    if factory is None or not callable(factory):\n"
    "        raise RuntimeError(f'module {modname} has no callable {attr}')\n"
    "    check_keywords(factory, kwargs)\n"
    "    try:\n"
    "        calc = factory(**kwargs)\n"
    "    except Exception as exc:\n"
    "        args = ', '.join(f'{k}={v!r}' for k, v in kwargs.items())\n"
    "        raise RuntimeError(f'{spec}({args}) raised {last_line(exc)}') from None\n"
    "    if 'torch' in sys.modules and threads > 0:\n"
    "        sys.modules['torch'].set_num_threads(threads)\n"
    "    return calc\n"
    "def build(calc, symbols, cell):\n"
    "    from ase import Atoms\n"
    "    from ase.calculators.calculator import all_changes\n"
    "    atoms = Atoms(symbols=symbols, positions=np.zeros((len(symbols), 3)), cell=cell, pbc=True)\n"
    "    atoms.calc = calc\n"
    "    stress = 'stress' in (getattr(calc, 'implemented_properties', []) or [])\n"
    "    direct = hasattr(calc, 'calculate') and hasattr(calc, 'check_state') and hasattr(calc, 'results')\n"
    "    return atoms, atoms.arrays, stress, direct, list(all_changes)\n"
    "def slow(atoms, stress):\n"
    "    return {'energy': atoms.get_potential_energy(), 'forces': atoms.get_forces(),\n"
    "            'stress': atoms.get_stress(voigt=False) if stress else None}\n"
    "def as_f64(x):\n"
    "    return np.ascontiguousarray(x, dtype=np.float64)\n";

typedef struct pyase {
  char calc_spec[512]; /* MODULE:CALLABLE */
  char python[4096];   /* python= ("" : the plugin's own) */
  int deepbind;        /* -1: default (on unless ASan), 0, 1 */
  int threads;
  PyObject *calc;   /* the ASE calculator */
  PyObject *atoms;  /* ase.Atoms, built at the first compute */
  PyObject *arrays; /* atoms.arrays (its "positions" is written in place) */
  PyObject *reset;  /* bound calc.reset */
  PyObject *calculate;
  PyObject *results_name;
  PyObject *changes_first, *changes_pos, *changes_cell; /* lists */
  PyObject *props, *props_stress;                       /* lists */
  int has_stress, direct, n;
  double cell[3][3];
} pyase;

static PyObject *g_helper; /* the helper module's dict, kept for the process */

static void set_err(char *err, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, n, fmt, ap);
  va_end(ap);
  for (char *p = err; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
}

/* The pending Python exception as one line ("Type: message"), cleared. */
static void py_err_line(char *out, size_t n) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  out[0] = '\0';
  PyObject *fn = g_helper ? PyDict_GetItemString(g_helper, "last_line") : NULL;
  PyObject *line = fn && value ? PyObject_CallOneArg(fn, value) : NULL;
  const char *s = line ? PyUnicode_AsUTF8(line) : NULL;
  if (s)
    snprintf(out, n, "%s", s);
  else if (type)
    snprintf(out, n, "%s", ((PyTypeObject *)type)->tp_name);
  else
    snprintf(out, n, "unknown Python error");
  Py_XDECREF(line);
  PyErr_Clear();
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
}

/* "3.11.2" of Py_GetVersion's "3.11.2 (main, ...) [GCC ...]". */
static const char *py_version(void) {
  static char v[32];
  snprintf(v, sizeof v, "%.*s", (int)strcspn(Py_GetVersion(), " "), Py_GetVersion());
  return v;
}

/* python=PATH is usable when it is this plugin's Python (same file) or a
 * virtual environment made from the same major.minor version (PATH's
 * ../pyvenv.cfg says "version = X.Y.Z"): 0, or -1 with err filled. */
static int python_ok(const char *path, char *err, size_t n) {
  char a[4096], b[4096];
  if (realpath(path, a) && realpath(MDB_PYASE_PYTHON, b) && !strcmp(a, b)) return 0;
  char cfg[4200];
  snprintf(cfg, sizeof cfg, "%s", path);
  char *slash = strrchr(cfg, '/');
  if (slash) {
    *slash = '\0';
    slash = strrchr(cfg, '/');
  }
  int ok = 0;
  if (slash) {
    snprintf(slash, sizeof cfg - (size_t)(slash - cfg), "/pyvenv.cfg");
    FILE *f = fopen(cfg, "r");
    char line[512], want[32];
    snprintf(want, sizeof want, "%d.%d.", PY_MAJOR_VERSION, PY_MINOR_VERSION);
    while (f && fgets(line, sizeof line, f)) {
      const char *v = strchr(line, '=');
      if (!strncmp(line, "version", 7) && v) ok |= !strncmp(v + 1 + strspn(v + 1, " "), want, strlen(want));
    }
    if (f) fclose(f);
  }
  if (access(path, X_OK) || !ok) {
    set_err(err, n,
            "pyase: python=%s is neither this plugin's Python (%s) nor a virtual environment of Python %d.%d "
            "(in process the interpreter is the one the plugin was built with; use ase: for another)",
            path, MDB_PYASE_PYTHON, PY_MAJOR_VERSION, PY_MINOR_VERSION);
    return -1;
  }
  return 0;
}

/* Starts Python once per process (as Py_InitializeEx(0): no signal
 * handlers), from python= when given so that a virtual environment's
 * site-packages are found; 0 or -1 with err filled. */
static int py_up(const char *python, int threads, int deepbind, char *err, size_t n) {
  static char started_as[4096];
  if (g_helper) {
    if (strcmp(started_as, python)) {
      set_err(err, n, "pyase: Python already runs in this process as python=%s; one interpreter per process",
              started_as[0] ? started_as : MDB_PYASE_PYTHON);
      return -1;
    }
    return 0;
  }
  if (python[0] && python_ok(python, err, n)) return -1;
  if (!Py_IsInitialized()) {
    /* libpython's symbols global before numpy's extension modules load */
    Dl_info info;
    void *sym;
    void (*fn)(int) = Py_InitializeEx;
    memcpy(&sym, &fn, sizeof sym);
    if (!dladdr(sym, &info) || !info.dli_fname || !dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL)) {
      set_err(err, n, "pyase: cannot make libpython's symbols global (dladdr/dlopen of Python's library failed)");
      return -1;
    }
    if (threads > 0) {
      char v[16];
      snprintf(v, sizeof v, "%d", threads);
      setenv("OMP_NUM_THREADS", v, 1);
      setenv("MKL_NUM_THREADS", v, 1);
      setenv("OPENBLAS_NUM_THREADS", v, 1);
    }
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    PyStatus st = python[0] ? PyConfig_SetBytesString(&config, &config.program_name, python) : PyStatus_Ok();
    if (!PyStatus_Exception(st)) st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
      set_err(err, n, "pyase: Python %s (%s) did not start: %s", py_version(), python[0] ? python : MDB_PYASE_PYTHON,
              st.err_msg ? st.err_msg : "no reason given");
      return -1;
    }
    PyRun_SimpleString("import sys\nsys.argv = ['mdbench']\n");
    if (deepbind < 0) deepbind = dlsym(RTLD_DEFAULT, "__asan_init") == NULL; /* ASan refuses RTLD_DEEPBIND */
    if (deepbind) PyRun_SimpleString("import os, sys\nsys.setdlopenflags(os.RTLD_NOW | os.RTLD_DEEPBIND)\n");
  }
  snprintf(started_as, sizeof started_as, "%s", python);
  PyObject *mod = PyModule_New("mdbench_pyase");
  PyObject *d = mod ? PyModule_GetDict(mod) : NULL;
  if (d) PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins());
  PyObject *r = d ? PyRun_String(helper_src, Py_file_input, d, d) : NULL;
  if (!r) {
    char why[512];
    py_err_line(why, sizeof why);
    set_err(err, n, "pyase: python %s (%s) cannot run the helper (numpy missing?): %s", py_version(), MDB_PYASE_PYTHON,
            why);
    Py_XDECREF(mod);
    return -1;
  }
  Py_DECREF(r);
  Py_INCREF(d);
  g_helper = d;
  Py_DECREF(mod);
  return 0;
}

/* A keyword argument's value, as src/calc/ase.c converts it (new reference). */
static PyObject *kw_value(const char *v) {
  if (!strcmp(v, "true") || !strcmp(v, "True")) Py_RETURN_TRUE;
  if (!strcmp(v, "false") || !strcmp(v, "False")) Py_RETURN_FALSE;
  if (!strcmp(v, "none") || !strcmp(v, "None")) Py_RETURN_NONE;
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (end != v && !*end && isfinite(d) && !errno) {
    if (d == floor(d) && fabs(d) < 9007199254740992.0) return PyLong_FromDouble(d); /* 300, 1e3 */
    return PyFloat_FromDouble(d);
  }
  return PyUnicode_FromString(v);
}

static void pyase_fini(void *ctx) {
  pyase *c = ctx;
  if (!c) return;
  if (Py_IsInitialized()) {
    Py_XDECREF(c->calc);
    Py_XDECREF(c->atoms);
    Py_XDECREF(c->arrays);
    Py_XDECREF(c->reset);
    Py_XDECREF(c->calculate);
    Py_XDECREF(c->results_name);
    Py_XDECREF(c->changes_first);
    Py_XDECREF(c->changes_pos);
    Py_XDECREF(c->changes_cell);
    Py_XDECREF(c->props);
    Py_XDECREF(c->props_stress);
  }
  free(c);
}

static int parse_keys(pyase *c, PyObject *kwargs, const char *const *keys, const char *const *values, int n, char *err,
                      size_t errlen) {
  for (int k = 0; k < n; k++) {
    const char *key = keys[k], *v = values[k];
    if (!strcmp(key, "calc")) {
      snprintf(c->calc_spec, sizeof c->calc_spec, "%s", v);
    } else if (!strcmp(key, "threads")) {
      char *end;
      long t = strtol(v, &end, 10);
      if (!v[0] || *end || t < 1 || t > 4096) {
        set_err(err, errlen, "pyase: threads must be an integer in 1..4096 (got '%s')", v);
        return -1;
      }
      c->threads = (int)t;
    } else if (!strcmp(key, "deepbind")) {
      c->deepbind = !strcmp(v, "true") ? 1 : !strcmp(v, "false") ? 0 : -2;
      if (c->deepbind == -2) {
        set_err(err, errlen, "pyase: deepbind must be true or false (got '%s')", v);
        return -1;
      }
    } else if (!strcmp(key, "python")) {
      snprintf(c->python, sizeof c->python, "%s", v);
    } else if (!strcmp(key, "timeout") || !strcmp(key, "log")) {
      set_err(err, errlen,
              "pyase: key '%s' belongs to the ase: worker's process; in process the keys are calc, python, "
              "threads, deepbind, then the calculator's keywords",
              key);
      return -1;
    } else if (kwargs) {
      PyObject *val = kw_value(v);
      if (!val || PyDict_SetItemString(kwargs, key, val)) {
        Py_XDECREF(val);
        return -1;
      }
      Py_DECREF(val);
    }
  }
  return 0;
}

static void *pyase_init(const char *const *keys, const char *const *values, int n, char *err, size_t errlen) {
  pyase *c = calloc(1, sizeof *c);
  if (!c) {
    set_err(err, errlen, "pyase: out of memory");
    return NULL;
  }
  c->deepbind = -1;
  if (parse_keys(c, NULL, keys, values, n, err, errlen)) goto fail;
  const char *colon = strchr(c->calc_spec, ':');
  if (!c->calc_spec[0] || !colon || colon == c->calc_spec || !colon[1] || strchr(colon + 1, ':')) {
    if (c->calc_spec[0])
      set_err(err, errlen, "pyase: calc=%s is not MODULE:CALLABLE (e.g. calc=ase.calculators.emt:EMT)", c->calc_spec);
    else
      set_err(err, errlen, "pyase: say which calculator: calc=MODULE:CALLABLE (e.g. calc=ase.calculators.emt:EMT)");
    goto fail;
  }
  if (py_up(c->python, c->threads, c->deepbind, err, errlen)) goto fail;
  PyObject *kwargs = PyDict_New();
  if (!kwargs || parse_keys(c, kwargs, keys, values, n, err, errlen)) {
    Py_XDECREF(kwargs);
    PyErr_Clear();
    set_err(err, errlen, "pyase: cannot build the keyword arguments");
    goto fail;
  }
  PyObject *make = PyDict_GetItemString(g_helper, "make");
  c->calc = PyObject_CallFunction(make, "sOi", c->calc_spec, kwargs, c->threads);
  Py_DECREF(kwargs);
  if (!c->calc) {
    char why[768];
    py_err_line(why, sizeof why);
    const char *msg = strncmp(why, "RuntimeError: ", 14) ? why : why + 14;
    set_err(err, errlen, "pyase: calc=%s (python %s, %s): %s", c->calc_spec, py_version(),
            c->python[0] ? c->python : MDB_PYASE_PYTHON, msg);
    goto fail;
  }
  return c;
fail:
  pyase_fini(c);
  return NULL;
}

/* The first compute: the Atoms in input order (atom_ids), the bound methods,
 * the property and change lists. */
static int build_atoms(pyase *c, const mdb_plugin_frame *in, char *err, size_t errlen) {
  const int n = in->n_local;
  PyObject *symbols = PyList_New(n);
  PyObject *cell = Py_BuildValue("((ddd)(ddd)(ddd))", in->cell[0][0], in->cell[0][1], in->cell[0][2], in->cell[1][0],
                                 in->cell[1][1], in->cell[1][2], in->cell[2][0], in->cell[2][1], in->cell[2][2]);
  if (!symbols || !cell) goto pyfail;
  for (int i = 0; i < n; i++) {
    PyObject *s = PyUnicode_FromString(in->species_symbols[in->types[i]]);
    if (!s) goto pyfail;
    PyList_SET_ITEM(symbols, in->atom_ids[i], s);
  }
  PyObject *r = PyObject_CallFunction(PyDict_GetItemString(g_helper, "build"), "OOO", c->calc, symbols, cell);
  if (!r) goto pyfail;
  PyObject *changes;
  int ok = PyArg_ParseTuple(r, "OOppO", &c->atoms, &c->arrays, &c->has_stress, &c->direct, &changes);
  if (ok) {
    Py_INCREF(c->atoms);
    Py_INCREF(c->arrays);
    Py_INCREF(changes);
    c->changes_first = changes;
  }
  Py_DECREF(r);
  if (!ok) goto pyfail;
  c->reset = PyObject_GetAttrString(c->calc, "reset");
  c->calculate = PyObject_GetAttrString(c->calc, "calculate");
  if (c->direct && (!c->reset || !c->calculate)) goto pyfail;
  PyErr_Clear();
  c->results_name = PyUnicode_FromString("results");
  c->changes_pos = Py_BuildValue("[s]", "positions");
  c->changes_cell = Py_BuildValue("[ss]", "positions", "cell");
  c->props = Py_BuildValue("[ss]", "energy", "forces");
  c->props_stress = Py_BuildValue("[sss]", "energy", "forces", "stress");
  if (!c->results_name || !c->changes_pos || !c->changes_cell || !c->props || !c->props_stress) goto pyfail;
  memcpy(c->cell, in->cell, sizeof c->cell);
  c->n = n;
  Py_DECREF(symbols);
  Py_DECREF(cell);
  return 0;
pyfail:;
  char why[512];
  py_err_line(why, sizeof why);
  set_err(err, errlen, "calc=%s: cannot build the Atoms: %s", c->calc_spec, why);
  Py_XDECREF(symbols);
  Py_XDECREF(cell);
  return -1;
}

/* Copies a float64 array (any shape, contiguous after as_f64) of count
 * doubles out of obj into a borrowed buffer view; 0 or -1 (Python error). */
static int f64_view(PyObject *obj, Py_ssize_t count, Py_buffer *view, PyObject **holder) {
  *holder = NULL;
  if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) == 0) {
    const char *f = view->format;
    if (f && (!strcmp(f, "d") || !strcmp(f, "<d") || !strcmp(f, "=d")) && view->len == count * 8) return 0;
    PyBuffer_Release(view);
  }
  PyErr_Clear();
  *holder = PyObject_CallOneArg(PyDict_GetItemString(g_helper, "as_f64"), obj);
  if (!*holder) return -1;
  if (PyObject_GetBuffer(*holder, view, PyBUF_C_CONTIGUOUS)) return -1;
  if (view->len != count * 8) {
    PyBuffer_Release(view);
    PyErr_Format(PyExc_ValueError, "expected %zd numbers, the calculator gave %zd", count, view->len / 8);
    return -1;
  }
  return 0;
}

/* Writes the locals' continuous positions into atoms.arrays["positions"]
 * (input order) and sets the cell when it changed; returns the change list
 * (borrowed) or NULL with a Python error. */
static PyObject *set_state(pyase *c, const mdb_plugin_frame *in, int first) {
  PyObject *changes = first ? c->changes_first : c->changes_pos;
  if (!first && memcmp(c->cell, in->cell, sizeof c->cell)) {
    PyObject *r = PyObject_CallMethod(c->atoms, "set_cell", "((ddd)(ddd)(ddd))", in->cell[0][0], in->cell[0][1],
                                      in->cell[0][2], in->cell[1][0], in->cell[1][1], in->cell[1][2], in->cell[2][0],
                                      in->cell[2][1], in->cell[2][2]);
    if (!r) return NULL;
    Py_DECREF(r);
    memcpy(c->cell, in->cell, sizeof c->cell);
    changes = c->changes_cell;
  }
  PyObject *pos = PyDict_GetItemString(c->arrays, "positions");
  Py_buffer v;
  if (!pos || PyObject_GetBuffer(pos, &v, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE | PyBUF_FORMAT)) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "atoms.arrays has no positions");
    return NULL;
  }
  if (v.len != (Py_ssize_t)c->n * 24 || !v.format || strcmp(v.format, "d")) {
    PyBuffer_Release(&v);
    PyErr_SetString(PyExc_RuntimeError, "atoms.positions is not a float64 array of the atoms");
    return NULL;
  }
  double *p = v.buf;
  for (int i = 0; i < c->n; i++) memcpy(p + 3 * in->atom_ids[i], in->x_unwrapped + 3 * i, 3 * sizeof(double));
  PyBuffer_Release(&v);
  return changes;
}

/* One model call: the results mapping (new reference) or NULL. */
static PyObject *model_call(pyase *c, PyObject *changes, int want_stress) {
  PyObject *props = want_stress ? c->props_stress : c->props;
  if (!c->direct) return PyObject_CallFunction(PyDict_GetItemString(g_helper, "slow"), "Oi", c->atoms, want_stress);
  PyObject *r = PyObject_CallNoArgs(c->reset);
  if (!r) return NULL;
  Py_DECREF(r);
  r = PyObject_CallFunctionObjArgs(c->calculate, c->atoms, props, changes, NULL);
  if (!r) return NULL;
  Py_DECREF(r);
  return PyObject_GetAttr(c->calc, c->results_name);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

/* Stress (3x3 or Voigt xx yy zz yz xz xy, eV/Å³) -> virial W = −V σ (eV). */
static int stress_virial(PyObject *stress, const double cell[3][3], double w[3][3]) {
  Py_buffer v;
  PyObject *holder;
  Py_ssize_t len = PyObject_Length(stress);
  if (len < 0) return -1;
  const Py_ssize_t count = len == 6 ? 6 : 9;
  if (f64_view(stress, count, &v, &holder)) {
    Py_XDECREF(holder);
    return -1;
  }
  const double *s = v.buf;
  double m[3][3];
  if (count == 6) {
    const double t[3][3] = {{s[0], s[5], s[4]}, {s[5], s[1], s[3]}, {s[4], s[3], s[2]}};
    memcpy(m, t, sizeof m);
  } else {
    memcpy(m, s, sizeof m);
  }
  PyBuffer_Release(&v);
  Py_XDECREF(holder);
  const double vol = fabs(cell[0][0] * (cell[1][1] * cell[2][2] - cell[1][2] * cell[2][1]) -
                          cell[0][1] * (cell[1][0] * cell[2][2] - cell[1][2] * cell[2][0]) +
                          cell[0][2] * (cell[1][0] * cell[2][1] - cell[1][1] * cell[2][0]));
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) w[a][b] = -vol * m[a][b];
  return 0;
}

static int pyase_compute(void *ctx, const mdb_plugin_frame *in, mdb_plugin_result *out, char *err, size_t errlen) {
  pyase *c = ctx;
  const int first = c->atoms == NULL;
  if (!in->x_unwrapped || !in->atom_ids) {
    set_err(err, errlen, "pyase: mdbench gave no continuous positions (needs plugin ABI 2)");
    return -1;
  }
  if (first && build_atoms(c, in, err, errlen)) return -1;
  if (in->n_local != c->n) {
    set_err(err, errlen, "pyase: the atom count changed from %d to %d", c->n, in->n_local);
    return -1;
  }
  const int want_virial = (in->flags & MDB_PLUGIN_VIRIAL) != 0;
  PyObject *results = NULL, *holder = NULL;
  Py_buffer fv = {0};
  int have_view = 0;
  PyObject *changes = set_state(c, in, first);
  if (!changes) goto pyfail;
  const double t0 = now_ms();
  results = model_call(c, changes, want_virial && c->has_stress);
  const double t1 = now_ms();
  if (!results) goto pyfail;
  out->model_ms = t1 - t0;
  PyObject *e = PyMapping_GetItemString(results, "energy");
  if (!e) goto pyfail;
  out->energy = PyFloat_AsDouble(e);
  Py_DECREF(e);
  if (PyErr_Occurred()) goto pyfail;
  PyObject *f = PyMapping_GetItemString(results, "forces");
  if (!f) goto pyfail;
  int bad = f64_view(f, (Py_ssize_t)c->n * 3, &fv, &holder);
  Py_DECREF(f);
  if (bad) goto pyfail;
  have_view = 1;
  const double *F = fv.buf;
  for (int i = 0; i < c->n; i++)
    for (int k = 0; k < 3; k++) out->forces[3 * i + k] += F[3 * in->atom_ids[i] + k];
  if (want_virial) {
    out->virial_set = 1;
    PyObject *s = c->has_stress ? PyMapping_GetItemString(results, "stress") : NULL;
    if (c->has_stress && !s) goto pyfail;
    if (!s || s == Py_None) {
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) out->virial[a][b] = NAN;
    } else if (stress_virial(s, in->cell, out->virial)) {
      Py_DECREF(s);
      goto pyfail;
    }
    Py_XDECREF(s);
  }
  PyBuffer_Release(&fv);
  Py_XDECREF(holder);
  Py_DECREF(results);
  return 0;
pyfail:;
  char why[512];
  py_err_line(why, sizeof why);
  set_err(err, errlen, "calc=%s raised %s", c->calc_spec, why);
  if (have_view) PyBuffer_Release(&fv);
  Py_XDECREF(holder);
  Py_XDECREF(results);
  return -1;
}

/* No neighbours are needed (the model finds its own); the neighbour module
 * wants a positive cutoff, as for ipi and ase. */
static double pyase_cutoff(const void *ctx) {
  (void)ctx;
  return 0.5;
}

static const mdb_plugin_v1 pyase_api = {
    .abi_version = 3,
    .name = "pyase",
    .init = pyase_init,
    .cutoff = pyase_cutoff,
    .compute = pyase_compute,
    .fini = pyase_fini,
};

const mdb_plugin_v1 *mdb_plugin_entry_v1(void) { return &pyase_api; }
