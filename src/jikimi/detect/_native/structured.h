/* structured.h: the parts of patterns.find_structured, split over two files. */
#ifndef JK_STRUCTURED_H
#define JK_STRUCTURED_H
#include "jk.h"

/* validators.py */
int jk_valid_date(long year, long month, long day);

/* structured.c: the digit-group pass (_scan_clusters, plates included) */
int jk_configure_clusters(PyObject *cfg);

/* structured_extra.c: _find_emails, _find_ipv6, _find_passports, _find_dobs, _find_masked,
 * run piecewise: jk_find_structured runs every pass block by block (the text stays in cache),
 * each run handling the trigger positions of one block [b, limit) (an '@', a colon, a gate
 * word's or mask character's start), reading beyond limit as needed, and keeping its state in a
 * jk_stage for the next block. */
int jk_configure_extra(PyObject *cfg);

/* the positions in [b, lim) whose character is a trigger, in order, one list per kind of trigger
 * ('@', ':', a passport or birth gate word's first character, a mask character); each list
 * holds up to one block (a character of several kinds is in each of their lists) */
enum { TK_AT, TK_COLON, TK_PASS, TK_BIRTH, TK_MASK, TK_N };
typedef struct { Py_ssize_t *v[TK_N + 1], n[TK_N]; } jk_trig; /* v[TK_N]: scratch */
int jk_trig_alloc(jk_trig *tr, Py_ssize_t block); /* 0, or -1 with MemoryError set */
void jk_trig_free(jk_trig *tr);
void jk_triggers(const jch *s, Py_ssize_t b, Py_ssize_t lim, jk_trig *tr);

typedef struct { Py_ssize_t *v, n, cap; } jk_seen;
typedef struct { Py_ssize_t pos, aux; jk_seen seen; } jk_stage;
#define JK_STAGE_INIT {0, -1, {NULL, 0, 0}}
void jk_stage_free(jk_stage *st);
int jk_emails_run(const jch *s, Py_ssize_t n, const jk_trig *tr, jk_finds *out);
int jk_ipv6_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, const jk_trig *tr, jk_finds *out);
int jk_passports_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, const jk_trig *tr, jk_finds *out);
int jk_dobs_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, const jk_trig *tr, jk_finds *out);
int jk_masked_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, const jk_trig *tr, jk_finds *out);

/* patterns._year: two-digit years 00-25 are 2000s, the rest 1900s */
static inline long jk_year(long y, int ndigits) {
    if (ndigits == 4) return y;
    return y <= 25 ? 2000 + y : 1900 + y;
}
#endif
