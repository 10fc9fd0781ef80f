/* structured.h: the parts of patterns.find_structured, split over two files. */
#ifndef JK_STRUCTURED_H
#define JK_STRUCTURED_H
#include "jk.h"

/* validators.py */
int jk_valid_date(long year, long month, long day);

/* structured.c: the digit-group pass (_scan_clusters, plates included) */
int jk_scan_clusters(const jch *s, Py_ssize_t n, jk_finds *out);
int jk_configure_clusters(PyObject *cfg);

/* structured_extra.c: _find_emails, _find_ipv6, _find_passports, _find_dobs, _find_masked */
int jk_find_emails(const jch *s, Py_ssize_t n, jk_finds *out);
int jk_find_ipv6(const jch *s, Py_ssize_t n, jk_finds *out);
int jk_find_passports(const jch *s, Py_ssize_t n, jk_finds *out);
int jk_find_dobs(const jch *s, Py_ssize_t n, jk_finds *out);
int jk_find_masked(const jch *s, Py_ssize_t n, jk_finds *out);
int jk_configure_extra(PyObject *cfg);

/* The same passes run piecewise (find_structured runs them block by block so that the text
 * stays in cache): each run handles the trigger positions (an '@', a colon, a gate match's
 * start) in [pos, limit), reading beyond limit as needed, and keeps its state for the next. */
typedef struct { Py_ssize_t *v, n, cap; } jk_seen;
typedef struct { Py_ssize_t pos, aux; jk_seen seen; } jk_stage;
#define JK_STAGE_INIT {0, -1, {NULL, 0, 0}}
void jk_stage_free(jk_stage *st);
int jk_emails_run(const jch *s, Py_ssize_t n, Py_ssize_t from, Py_ssize_t limit, jk_finds *out);
int jk_ipv6_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, jk_finds *out);
int jk_passports_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, jk_finds *out);
int jk_dobs_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, jk_finds *out);
int jk_masked_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, jk_finds *out);

/* patterns._year: two-digit years 00-25 are 2000s, the rest 1900s */
static inline long jk_year(long y, int ndigits) {
    if (ndigits == 4) return y;
    return y <= 25 ? 2000 + y : 1900 + y;
}
#endif
