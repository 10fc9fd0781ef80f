/* structured.c: patterns.find_structured in C. The digit-group pass (_scan_clusters and the
 * classification of each run, plates included) lives here; the other families in
 * structured_extra.c. */
#include "structured.h"

int jk_configure_structured(PyObject *cfg) {
    if (jk_configure_clusters(cfg) < 0) return -1;
    return jk_configure_extra(cfg);
}

int jk_find_structured(const jch *s, Py_ssize_t n, jk_finds *out) {
    /* the order of patterns.find_structured: e-mail, IPv6, then (if any digit) the rest */
    int has_at = 0, has_colon = 0, has_digit = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        jch c = s[i];
        if (c == '@') has_at = 1;
        else if (c == ':') has_colon = 1;
        else if (c >= '0' && c <= '9') has_digit = 1;
    }
    if (has_at && jk_find_emails(s, n, out) < 0) return -1;
    if (has_colon && jk_find_ipv6(s, n, out) < 0) return -1;
    if (!has_digit) return 0;
    if (jk_scan_clusters(s, n, out) < 0) return -1;
    if (jk_find_passports(s, n, out) < 0) return -1;
    if (jk_find_dobs(s, n, out) < 0) return -1;
    return jk_find_masked(s, n, out);
}

/* ---- to be ported: _scan_clusters ---- */
int jk_configure_clusters(PyObject *cfg) { (void)cfg; return 0; }
int jk_scan_clusters(const jch *s, Py_ssize_t n, jk_finds *out) { (void)s; (void)n; (void)out; return 0; }
