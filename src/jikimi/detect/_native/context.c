/* context.c: context words around a candidate (jikimi/detect/keywords.py, context.py).
 * Keywords are matched leftmost-longest on the lower-cased window, as keywords.context_types
 * does with its alternation; one trie walk per window position. */
#include "jk.h"

static jk_trie *kw_trie;
static jk_cset kw_first; /* lower-cased first characters of the keywords */

int jk_configure_context(PyObject *cfg) {
    PyObject *kw = jk_cfg_item(cfg, "keyword_types"); /* lower-cased keyword -> type bit mask */
    if (!kw) return -1;
    if (!PyDict_Check(kw)) { PyErr_SetString(PyExc_TypeError, "keyword_types must be a dict"); return -1; }
    jk_trie *t = jk_trie_from_py(kw, 0, 0);
    if (!t) return -1;
    jk_cset first;
    memset(&first, 0, sizeof first);
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(kw, &pos, &k, &v)) {
        if (!PyUnicode_Check(k) || PyUnicode_GET_LENGTH(k) == 0) continue;
        jch c = PyUnicode_READ_CHAR(k, 0);
        if (c >= 0x10000) {
            jk_trie_free(t);
            PyErr_SetString(PyExc_ValueError, "context keywords must start in the BMP");
            return -1;
        }
        jk_cs_add(&first, c);
    }
    jk_trie_free(kw_trie);
    kw_trie = t;
    kw_first = first;
    return 0;
}

void jk_window(const jch *s, Py_ssize_t n, Py_ssize_t start, Py_ssize_t end, Py_ssize_t before,
               Py_ssize_t after, Py_ssize_t *lo, Py_ssize_t *hi) {
    Py_ssize_t a = start - before > 0 ? start - before : 0;
    for (Py_ssize_t i = start - 1; i >= a; i--) if (s[i] == 0) { a = i + 1; break; }
    Py_ssize_t b = end + after < n ? end + after : n;
    for (Py_ssize_t i = end; i < b; i++) if (s[i] == 0) { b = i; break; }
    *lo = a; *hi = b;
}

static inline jch fold(jch c) {
    /* U+0130 lower-cases to two characters in Python ("i" + U+0307): it can match no keyword */
    return c == 0x130 ? 0xFFFF : jk_lower(c);
}

static uint32_t scan_part(const jch *s, Py_ssize_t i, Py_ssize_t hi, uint32_t *last) {
    uint32_t types = 0;
    while (i < hi) {
        if (!jk_cs_has(&kw_first, fold(s[i]))) { i++; continue; }
        int32_t node = 0;
        Py_ssize_t best = 0;
        int64_t v = 0;
        for (Py_ssize_t k = i; k < hi; k++) {
            node = jk_trie_step(kw_trie, node, fold(s[k]));
            if (node < 0) break;
            int64_t val = jk_trie_value(kw_trie, node);
            if (val >= 0) { best = k + 1 - i; v = val; }
        }
        if (best) { types |= (uint32_t)v; *last = (uint32_t)v; i += best; }
        else i++;
    }
    return types;
}

uint32_t jk_context_types(const jch *s, Py_ssize_t lo, Py_ssize_t start, Py_ssize_t end, Py_ssize_t hi) {
    uint32_t last = 0, ignore = 0;
    uint32_t types = scan_part(s, lo, start, &last);
    if (hi > end) types |= scan_part(s, end, hi, &ignore);
    if (!types) return 0;
    types &= ~(1u << JK_NEGATIVE);
    if (last & (1u << JK_NEGATIVE)) types |= 1u << JK_NEGATIVE;
    return types;
}
