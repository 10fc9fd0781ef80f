/* addresses.c: addresses.find_addresses in C (being ported). */
#include "jk.h"
int jk_configure_addresses(PyObject *cfg) { (void)cfg; return 0; }
int jk_find_addresses(const jch *s, Py_ssize_t n, jk_finds *out) { (void)s; (void)n; (void)out; return 0; }
