/* common.c: findings vectors, string maps, tries and character sets for the native core.
 * Hand-written because the core is plain C with no dependencies beyond CPython: these are the
 * three containers every recognizer needs, sized for word lists of a few thousand entries. */
#include "jk.h"

int jk_push(jk_finds *out, int type, Py_ssize_t start, Py_ssize_t end, double score, int rec) {
    if (out->n == out->cap) {
        Py_ssize_t cap = out->cap ? out->cap * 2 : 16;
        jk_find *v = PyMem_Realloc(out->v, (size_t)cap * sizeof(jk_find));
        if (!v) { PyErr_NoMemory(); return -1; }
        out->v = v; out->cap = cap;
    }
    jk_find *f = &out->v[out->n++];
    f->start = start; f->end = end; f->score = score > 1.0 ? 1.0 : score; f->type = type; f->rec = rec;
    return 0;
}

void jk_finds_free(jk_finds *f) { PyMem_Free(f->v); f->v = NULL; f->n = f->cap = 0; }

PyObject *jk_cfg_item(PyObject *cfg, const char *key) {
    PyObject *v = PyDict_GetItemString(cfg, key);
    if (!v) PyErr_Format(PyExc_KeyError, "native scan configuration lacks %s", key);
    return v;
}

int jk_cfg_cset(PyObject *cfg, const char *key, jk_cset *dst) {
    PyObject *v = jk_cfg_item(cfg, key);
    if (!v) return -1;
    jk_cset c;
    memset(&c, 0, sizeof c);
    if (jk_cs_add_py(&c, v) < 0) return -1;
    *dst = c;
    return 0;
}

/* ------------------------------------------------------------------ maps */
typedef struct { jch *s; Py_ssize_t n; uint64_t h; double v; } jk_slot;
struct jk_map { jk_slot *slots; size_t cap, used; };

static uint64_t jk_hash(const jch *s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) { h ^= s[i]; h *= 1099511628211ULL; }
    return h ^ (uint64_t)n;
}

jk_map *jk_map_new(void) {
    jk_map *m = PyMem_Calloc(1, sizeof(jk_map));
    if (!m) { PyErr_NoMemory(); return NULL; }
    m->cap = 64;
    m->slots = PyMem_Calloc(m->cap, sizeof(jk_slot));
    if (!m->slots) { PyMem_Free(m); PyErr_NoMemory(); return NULL; }
    return m;
}

void jk_map_free(jk_map *m) {
    if (!m) return;
    for (size_t i = 0; i < m->cap; i++) PyMem_Free(m->slots[i].s);
    PyMem_Free(m->slots);
    PyMem_Free(m);
}

Py_ssize_t jk_map_size(const jk_map *m) { return (Py_ssize_t)m->used; }

static jk_slot *jk_find_slot(jk_slot *slots, size_t cap, const jch *s, Py_ssize_t n, uint64_t h) {
    size_t i = (size_t)h & (cap - 1);
    for (;;) {
        jk_slot *sl = &slots[i];
        if (!sl->s) return sl;
        if (sl->h == h && sl->n == n && memcmp(sl->s, s, (size_t)n * sizeof(jch)) == 0) return sl;
        i = (i + 1) & (cap - 1);
    }
}

int jk_map_put(jk_map *m, const jch *s, Py_ssize_t n, double v) {
    if ((m->used + 1) * 2 > m->cap) {
        size_t cap = m->cap * 2;
        jk_slot *ns = PyMem_Calloc(cap, sizeof(jk_slot));
        if (!ns) { PyErr_NoMemory(); return -1; }
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].s) *jk_find_slot(ns, cap, m->slots[i].s, m->slots[i].n, m->slots[i].h) = m->slots[i];
        PyMem_Free(m->slots);
        m->slots = ns; m->cap = cap;
    }
    uint64_t h = jk_hash(s, n);
    jk_slot *sl = jk_find_slot(m->slots, m->cap, s, n, h);
    if (!sl->s) {
        sl->s = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(jch));
        if (!sl->s) { PyErr_NoMemory(); return -1; }
        memcpy(sl->s, s, (size_t)n * sizeof(jch));
        sl->n = n; sl->h = h;
        m->used++;
    }
    sl->v = v;
    return 0;
}

int jk_map_get(const jk_map *m, const jch *s, Py_ssize_t n, double *v) {
    if (n < 0) return 0;
    jk_slot *sl = jk_find_slot(m->slots, m->cap, s, n, jk_hash(s, n));
    if (!sl->s) return 0;
    if (v) *v = sl->v;
    return 1;
}

/* A str as a fresh UCS4 buffer (PyMem_Free it); NULL with exception. */
static jch *jk_ucs4(PyObject *str, Py_ssize_t *n) {
    if (!PyUnicode_Check(str)) { PyErr_SetString(PyExc_TypeError, "native scan tables hold str keys"); return NULL; }
    *n = PyUnicode_GET_LENGTH(str);
    return PyUnicode_AsUCS4Copy(str);
}

jk_map *jk_map_from_py(PyObject *obj) {
    jk_map *m = jk_map_new();
    if (!m) return NULL;
    if (PyDict_Check(obj)) {
        PyObject *k, *val; Py_ssize_t pos = 0;
        while (PyDict_Next(obj, &pos, &k, &val)) {
            Py_ssize_t n; jch *s = jk_ucs4(k, &n);
            if (!s) goto fail;
            double d = PyFloat_AsDouble(val);
            if (d == -1.0 && PyErr_Occurred()) { PyMem_Free(s); goto fail; }
            int r = jk_map_put(m, s, n, d);
            PyMem_Free(s);
            if (r < 0) goto fail;
        }
        return m;
    }
    PyObject *it = PyObject_GetIter(obj), *k;
    if (!it) goto fail;
    while ((k = PyIter_Next(it))) {
        Py_ssize_t n; jch *s = jk_ucs4(k, &n);
        Py_DECREF(k);
        if (!s) { Py_DECREF(it); goto fail; }
        int r = jk_map_put(m, s, n, 1.0);
        PyMem_Free(s);
        if (r < 0) { Py_DECREF(it); goto fail; }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) goto fail;
    return m;
fail:
    jk_map_free(m);
    return NULL;
}

/* ------------------------------------------------------------------ tries */
struct jk_trie {
    int64_t *vals; int32_t nn, capn;          /* node values (-1: no word ends here) */
    uint64_t *keys; int32_t *child; size_t hcap, hn; /* (node, ch) -> child, open addressing */
};

static inline uint64_t jk_edge(int32_t node, jch ch) { return (((uint64_t)node << 21) | ch) + 1; }
static inline size_t jk_edge_hash(uint64_t k) { k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33; return (size_t)k; }

jk_trie *jk_trie_new(void) {
    jk_trie *t = PyMem_Calloc(1, sizeof(jk_trie));
    if (!t) { PyErr_NoMemory(); return NULL; }
    t->capn = 64; t->vals = PyMem_Malloc(64 * sizeof(int64_t));
    t->hcap = 128; t->keys = PyMem_Calloc(t->hcap, sizeof(uint64_t)); t->child = PyMem_Calloc(t->hcap, sizeof(int32_t));
    if (!t->vals || !t->keys || !t->child) { jk_trie_free(t); PyErr_NoMemory(); return NULL; }
    t->nn = 1; t->vals[0] = -1;
    return t;
}

void jk_trie_free(jk_trie *t) {
    if (!t) return;
    PyMem_Free(t->vals); PyMem_Free(t->keys); PyMem_Free(t->child); PyMem_Free(t);
}

int32_t jk_trie_step(const jk_trie *t, int32_t node, jch ch) {
    uint64_t k = jk_edge(node, ch);
    size_t i = jk_edge_hash(k) & (t->hcap - 1);
    for (;;) {
        uint64_t kk = t->keys[i];
        if (kk == k) return t->child[i];
        if (!kk) return -1;
        i = (i + 1) & (t->hcap - 1);
    }
}

int64_t jk_trie_value(const jk_trie *t, int32_t node) { return t->vals[node]; }

static int jk_trie_grow(jk_trie *t) {
    size_t cap = t->hcap * 2;
    uint64_t *keys = PyMem_Calloc(cap, sizeof(uint64_t));
    int32_t *child = PyMem_Calloc(cap, sizeof(int32_t));
    if (!keys || !child) { PyMem_Free(keys); PyMem_Free(child); PyErr_NoMemory(); return -1; }
    for (size_t i = 0; i < t->hcap; i++) if (t->keys[i]) {
        size_t j = jk_edge_hash(t->keys[i]) & (cap - 1);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = t->keys[i]; child[j] = t->child[i];
    }
    PyMem_Free(t->keys); PyMem_Free(t->child);
    t->keys = keys; t->child = child; t->hcap = cap;
    return 0;
}

int jk_trie_add(jk_trie *t, const jch *s, Py_ssize_t n, int64_t value) {
    int32_t node = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t c = jk_trie_step(t, node, s[i]);
        if (c < 0) {
            if ((t->hn + 1) * 2 > t->hcap && jk_trie_grow(t) < 0) return -1;
            if (t->nn == t->capn) {
                int64_t *v = PyMem_Realloc(t->vals, (size_t)t->capn * 2 * sizeof(int64_t));
                if (!v) { PyErr_NoMemory(); return -1; }
                t->vals = v; t->capn *= 2;
            }
            c = t->nn++;
            t->vals[c] = -1;
            uint64_t k = jk_edge(node, s[i]);
            size_t j = jk_edge_hash(k) & (t->hcap - 1);
            while (t->keys[j]) j = (j + 1) & (t->hcap - 1);
            t->keys[j] = k; t->child[j] = c; t->hn++;
        }
        node = c;
    }
    t->vals[node] = t->vals[node] < 0 ? value : (t->vals[node] | value);
    return 0;
}

Py_ssize_t jk_trie_longest(const jk_trie *t, const jch *s, Py_ssize_t i, Py_ssize_t hi, int fold, int64_t *value) {
    int32_t node = 0;
    Py_ssize_t best = 0;
    for (Py_ssize_t k = i; k < hi; k++) {
        node = jk_trie_step(t, node, fold ? jk_lower(s[k]) : s[k]);
        if (node < 0) break;
        if (t->vals[node] >= 0) { best = k + 1 - i; if (value) *value = t->vals[node]; }
    }
    return best;
}

Py_ssize_t jk_trie_longest_back(const jk_trie *t, const jch *s, Py_ssize_t i, Py_ssize_t lo, int64_t *value) {
    int32_t node = 0;
    Py_ssize_t best = 0;
    for (Py_ssize_t k = i - 1; k >= lo; k--) {
        node = jk_trie_step(t, node, s[k]);
        if (node < 0) break;
        if (t->vals[node] >= 0) { best = i - k; if (value) *value = t->vals[node]; }
    }
    return best;
}

jk_trie *jk_trie_from_py(PyObject *obj, int reverse, int fold) {
    jk_trie *t = jk_trie_new();
    if (!t) return NULL;
    PyObject *it = PyObject_GetIter(obj), *k;
    if (!it) goto fail;
    while ((k = PyIter_Next(it))) {
        int64_t val = 1;
        if (PyDict_Check(obj)) {
            PyObject *pv = PyDict_GetItem(obj, k);
            val = pv ? PyLong_AsLongLong(pv) : 1;
            if (val == -1 && PyErr_Occurred()) { Py_DECREF(k); Py_DECREF(it); goto fail; }
        }
        Py_ssize_t n; jch *s = jk_ucs4(k, &n);
        Py_DECREF(k);
        if (!s) { Py_DECREF(it); goto fail; }
        for (Py_ssize_t a = 0; a < n; a++) if (fold) s[a] = jk_lower(s[a]);
        if (reverse) for (Py_ssize_t a = 0, b = n - 1; a < b; a++, b--) { jch x = s[a]; s[a] = s[b]; s[b] = x; }
        int r = jk_trie_add(t, s, n, val);
        PyMem_Free(s);
        if (r < 0) { Py_DECREF(it); goto fail; }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) goto fail;
    return t;
fail:
    jk_trie_free(t);
    return NULL;
}

/* ------------------------------------------------------------------ character sets */
int jk_cs_add_py(jk_cset *c, PyObject *obj) {
    if (PyUnicode_Check(obj)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(obj);
        for (Py_ssize_t i = 0; i < n; i++) jk_cs_add(c, PyUnicode_READ_CHAR(obj, i));
        return 0;
    }
    PyObject *it = PyObject_GetIter(obj), *k;
    if (!it) return -1;
    while ((k = PyIter_Next(it))) {
        int r = PyUnicode_Check(k) ? jk_cs_add_py(c, k) : (PyErr_SetString(PyExc_TypeError, "character sets hold str"), -1);
        Py_DECREF(k);
        if (r < 0) { Py_DECREF(it); return -1; }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}
