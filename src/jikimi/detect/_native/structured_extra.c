/* structured_extra.c: e-mail, IPv6, passports, dates of birth and masked identifiers
 * (patterns._find_emails, _find_ipv6, _find_passports, _find_dobs, _find_masked). */
#include "structured.h"

/* ---- to be ported ---- */
int jk_configure_extra(PyObject *cfg) { (void)cfg; return 0; }
int jk_find_emails(const jch *s, Py_ssize_t n, jk_finds *out) { (void)s; (void)n; (void)out; return 0; }
int jk_find_ipv6(const jch *s, Py_ssize_t n, jk_finds *out) { (void)s; (void)n; (void)out; return 0; }
int jk_find_passports(const jch *s, Py_ssize_t n, jk_finds *out) { (void)s; (void)n; (void)out; return 0; }
int jk_find_dobs(const jch *s, Py_ssize_t n, jk_finds *out) { (void)s; (void)n; (void)out; return 0; }
int jk_find_masked(const jch *s, Py_ssize_t n, jk_finds *out) { (void)s; (void)n; (void)out; return 0; }
