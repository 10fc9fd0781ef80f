/* module.c: the Python face of the native scan core, jikimi.detect._native.
 *
 * configure(cfg) loads the tables the Python modules define (one source of truth for the data);
 * find_structured/find_persons/find_addresses(text) return raw findings as tuples, for the
 * differential tests against the Python recognizers; scan_many(texts, min_score, mask) is the
 * engine: one pass over the texts joined by "\0", overlap resolution, Finding objects out. */
#include "jk.h"

static const char *ENTITY_NAMES[JK_N_ENTITIES] = {
    "KR_RRN", "KR_FRN", "KR_PASSPORT", "KR_DRIVER_LICENSE", "CREDIT_CARD", "KR_BANK_ACCOUNT",
    "KR_HEALTH_INSURANCE", "PHONE_NUMBER", "EMAIL_ADDRESS", "PERSON", "KR_ADDRESS", "IP_ADDRESS",
    "KR_VEHICLE_PLATE", "DATE_OF_BIRTH", "KR_POSTAL_CODE", "KR_BRN", "KR_CRN",
};
static const char *REC_NAMES[JR_N] = {
    "kr_phone", "kr_brn", "kr_license", "kr_nhi", "kr_postal", "card", "kr_account", "kr_rrn",
    "kr_frn", "kr_crn", "ipv4", "dob", "email", "ipv6", "kr_passport", "kr_plate", "masked",
    "kr_person", "kr_address",
};

static PyObject *entity_str[JK_N_ENTITIES], *rec_str[JR_N];
static PyTypeObject *finding_type; /* jikimi.detect.finding.Finding */
/* finding_type has exactly a tuple's layout and no finaliser (a NamedTuple: no __dict__, no
 * __weakref__, no extra fields), so it can be allocated as a tuple is */
static int finding_plain;
static int priority[JK_N_ENTITIES];
static int configured;

typedef int (*finder)(const jch *, Py_ssize_t, jk_finds *);

static jch *as_ucs4(PyObject *text, Py_ssize_t *n) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "scan() needs str, got %.80s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    *n = PyUnicode_GET_LENGTH(text);
    return PyUnicode_AsUCS4Copy(text);
}

static int not_configured(void) {
    if (!configured) { PyErr_SetString(PyExc_RuntimeError, "jikimi.detect._native.configure() was not called"); return 1; }
    return 0;
}

/* Items 0-4 of a finding tuple (entity type, start, end, score, recognizer) into t, whose slots
 * are still empty. -1 on failure (the caller drops t; empty slots are allowed there). */
static int set_finding_items(PyObject *t, const jk_find *f) {
    PyObject *st = PyLong_FromSsize_t(f->start), *en = PyLong_FromSsize_t(f->end);
    PyObject *sc = PyFloat_FromDouble(f->score);
    if (!st || !en || !sc) { Py_XDECREF(st); Py_XDECREF(en); Py_XDECREF(sc); return -1; }
    Py_INCREF(entity_str[f->type]); PyTuple_SET_ITEM(t, 0, entity_str[f->type]);
    PyTuple_SET_ITEM(t, 1, st);
    PyTuple_SET_ITEM(t, 2, en);
    PyTuple_SET_ITEM(t, 3, sc);
    Py_INCREF(rec_str[f->rec]); PyTuple_SET_ITEM(t, 4, rec_str[f->rec]);
    return 0;
}

static PyObject *raw_list(jk_finds *f) {
    PyObject *out = PyList_New(f->n);
    if (!out) return NULL;
    for (Py_ssize_t i = 0; i < f->n; i++) {
        PyObject *t = PyTuple_New(5);
        if (!t || set_finding_items(t, &f->v[i]) < 0) { Py_XDECREF(t); Py_DECREF(out); return NULL; }
        PyList_SET_ITEM(out, i, t);
    }
    return out;
}

#define RUN_ONE_STACK 512 /* texts up to this length are copied to the stack, not the heap */

static PyObject *run_one(PyObject *text, finder fn) {
    if (not_configured()) return NULL;
    Py_ssize_t n;
    jch buf[RUN_ONE_STACK], *s;
    if (PyUnicode_Check(text) && (n = PyUnicode_GET_LENGTH(text)) <= RUN_ONE_STACK) {
        s = buf;
        if (n && !PyUnicode_AsUCS4(text, buf, n, 0)) return NULL;
    } else {
        s = as_ucs4(text, &n);
        if (!s) return NULL;
    }
    jk_finds f = {0};
    int r = fn(s, n, &f);
    if (s != buf) PyMem_Free(s);
    PyObject *out = r < 0 ? NULL : raw_list(&f);
    jk_finds_free(&f);
    return out;
}

static PyObject *py_find_structured(PyObject *m, PyObject *t) { return run_one(t, jk_find_structured); }
static PyObject *py_find_persons(PyObject *m, PyObject *t) { return run_one(t, jk_find_persons); }
static PyObject *py_find_addresses(PyObject *m, PyObject *t) { return run_one(t, jk_find_addresses); }

/* ------------------------------------------------------------------ engine */

static int cmp_by_start(const void *a, const void *b) {
    const jk_find *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

typedef struct { jk_find f; Py_ssize_t idx; } ranked;

static int cmp_rank(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    Py_ssize_t lx = x->f.end - x->f.start, ly = y->f.end - y->f.start;
    if (lx != ly) return lx > ly ? -1 : 1;
    if (x->f.score != y->f.score) return x->f.score > y->f.score ? -1 : 1;
    if (priority[x->f.type] != priority[y->f.type]) return priority[x->f.type] > priority[y->f.type] ? -1 : 1;
    if (x->f.start != y->f.start) return x->f.start < y->f.start ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* engine.resolve_overlaps on v[0..n): sorts v by (start, end), stable, and returns how many of
 * the first entries are kept (the kept ones are moved to the front, sorted). */
static Py_ssize_t resolve(jk_find *v, Py_ssize_t n) {
    /* stable sort by (start, end): insertion sort, lists are short */
    for (Py_ssize_t i = 1; i < n; i++) {
        jk_find x = v[i];
        Py_ssize_t j = i;
        while (j > 0 && cmp_by_start(&v[j - 1], &x) > 0) { v[j] = v[j - 1]; j--; }
        v[j] = x;
    }
    int overlap = 0;
    for (Py_ssize_t i = 1; i < n; i++) if (v[i - 1].end > v[i].start) { overlap = 1; break; }
    if (!overlap) return n;
    /* cmp_rank is a total order (idx breaks ties), so any sort gives the same order: small
     * groups (nearly all) are insertion-sorted in a stack buffer */
    ranked small[32], *r = n <= 32 ? small : PyMem_Malloc((size_t)n * sizeof(ranked));
    if (!r) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < n; i++) { r[i].f = v[i]; r[i].idx = i; }
    if (n <= 32) {
        for (Py_ssize_t i = 1; i < n; i++) {
            ranked x = r[i];
            Py_ssize_t j = i;
            while (j > 0 && cmp_rank(&r[j - 1], &x) > 0) { r[j] = r[j - 1]; j--; }
            r[j] = x;
        }
    } else {
        qsort(r, (size_t)n, sizeof(ranked), cmp_rank);
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int ok = 1;
        for (Py_ssize_t j = 0; j < k; j++)
            if (!(r[i].f.end <= v[j].start || r[i].f.start >= v[j].end)) { ok = 0; break; }
        if (ok) v[k++] = r[i].f;
    }
    if (r != small) PyMem_Free(r);
    for (Py_ssize_t i = 1; i < k; i++) {
        jk_find x = v[i];
        Py_ssize_t j = i;
        while (j > 0 && cmp_by_start(&v[j - 1], &x) > 0) { v[j] = v[j - 1]; j--; }
        v[j] = x;
    }
    return k;
}

static PyObject *make_finding(const jk_find *f, PyObject *field) {
    /* only str, int, float and None inside: no cycle can pass through it, so the cyclic GC need
     * not see it (CPython untracks such tuples itself, but only when a collection sees them; the
     * scan creates hundreds of thousands). With the plain tuple layout (finding_plain) the object
     * is allocated untracked and not zero-filled (every slot is set below). */
    int atomic = field == Py_None || PyUnicode_CheckExact(field);
    PyObject *o;
    if (finding_plain && atomic) {
        o = (PyObject *)PyObject_GC_NewVar(PyTupleObject, finding_type, 6);
        if (!o) return NULL;
        for (int k = 0; k < 6; k++) PyTuple_SET_ITEM(o, k, NULL);
    } else {
        o = finding_type->tp_alloc(finding_type, 6);
        if (!o) return NULL;
    }
    if (set_finding_items(o, f) < 0) { Py_DECREF(o); return NULL; }
    Py_INCREF(field); PyTuple_SET_ITEM(o, 5, field);
    if (atomic && PyObject_GC_IsTracked(o)) PyObject_GC_UnTrack(o);
    return o;
}

/* The engine over a batch of texts: every text's findings, overlaps resolved and filtered.
 * grouped[cnt[i] .. cnt[i] + kept[i]) are text i's findings, offsets relative to the text. */
typedef struct {
    jk_find *grouped;
    Py_ssize_t *cnt, *kept;
} batch_result;

static void batch_free(batch_result *b) {
    PyMem_Free(b->grouped); PyMem_Free(b->cnt); PyMem_Free(b->kept);
    b->grouped = NULL; b->cnt = b->kept = NULL;
}

static int run_batch(PyObject **items, Py_ssize_t nt, double min_score, unsigned long mask, batch_result *res) {
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < nt; i++) {
        if (!PyUnicode_Check(items[i])) {
            PyErr_Format(PyExc_TypeError, "scan_many() needs str items, got %.80s", Py_TYPE(items[i])->tp_name);
            return -1;
        }
        total += PyUnicode_GET_LENGTH(items[i]) + 1;
    }
    int rc = -1;
    jch *s = PyMem_Malloc((size_t)(total ? total : 1) * sizeof(jch));
    Py_ssize_t *starts = PyMem_Malloc((size_t)(nt ? nt : 1) * sizeof(Py_ssize_t));
    Py_ssize_t *ti = NULL, *fill = NULL;
    jk_finds f = {0};
    res->cnt = PyMem_Calloc((size_t)nt + 1, sizeof(Py_ssize_t));
    res->kept = PyMem_Calloc((size_t)(nt ? nt : 1), sizeof(Py_ssize_t));
    res->grouped = NULL;
    if (!s || !starts || !res->cnt || !res->kept) { PyErr_NoMemory(); goto end; }
    Py_ssize_t pos = 0;
    for (Py_ssize_t i = 0; i < nt; i++) {
        starts[i] = pos;
        Py_ssize_t len = PyUnicode_GET_LENGTH(items[i]);
        if (len && !PyUnicode_AsUCS4(items[i], s + pos, len, 0)) goto end;
        pos += len;
        s[pos++] = 0;
    }
    Py_ssize_t n = total ? total - 1 : 0;
    if (jk_find_structured(s, n, &f) < 0 || jk_find_persons(s, n, &f) < 0 || jk_find_addresses(s, n, &f) < 0)
        goto end;
    /* group by text, keeping the recognizers' order within a text (resolve() depends on the
     * (start, end) order plus that original order, as the Python engine does) */
    ti = PyMem_Malloc((size_t)(f.n ? f.n : 1) * sizeof(Py_ssize_t));
    fill = PyMem_Malloc((size_t)(nt ? nt : 1) * sizeof(Py_ssize_t));
    res->grouped = PyMem_Malloc((size_t)(f.n ? f.n : 1) * sizeof(jk_find));
    if (!ti || !fill || !res->grouped) { PyErr_NoMemory(); goto end; }
    Py_ssize_t lo = 0;
    for (Py_ssize_t k = 0; k < f.n; k++) {
        /* the last text starting at or before the finding; each recognizer reports in text
         * order, so the previous answer or the next text is nearly always it */
        Py_ssize_t at = f.v[k].start;
        if (!(starts[lo] <= at && (lo + 1 == nt || starts[lo + 1] > at))) {
            if (lo + 1 < nt && starts[lo + 1] <= at && (lo + 2 == nt || starts[lo + 2] > at)) {
                lo++;
            } else {
                /* binary search for the last start <= at; forward of lo, galloping first (the
                 * next finding is usually a few texts on) */
                Py_ssize_t hi;
                if (starts[lo] <= at) {
                    Py_ssize_t step = 2;
                    hi = lo + 2; /* starts[lo + 1] <= at: lo + 1 is a lower bound */
                    lo = lo + 1;
                    while (hi < nt && starts[hi] <= at) { lo = hi; step *= 2; hi = lo + step; }
                    if (hi > nt) hi = nt;
                } else {
                    hi = lo;
                    lo = 0;
                }
                while (hi - lo > 1) { Py_ssize_t mid = (lo + hi) / 2; if (starts[mid] <= at) lo = mid; else hi = mid; }
            }
        }
        Py_ssize_t tl = (lo + 1 < nt ? starts[lo + 1] : total) - starts[lo] - 1; /* its length */
        ti[k] = (f.v[k].end - starts[lo] > tl) ? -1 : lo; /* straddles two texts: dropped */
        if (ti[k] >= 0) res->cnt[lo + 1]++;
    }
    for (Py_ssize_t i = 0; i < nt; i++) res->cnt[i + 1] += res->cnt[i];
    memcpy(fill, res->cnt, (size_t)nt * sizeof(Py_ssize_t));
    for (Py_ssize_t k = 0; k < f.n; k++)
        if (ti[k] >= 0) {
            jk_find x = f.v[k];
            x.start -= starts[ti[k]];
            x.end -= starts[ti[k]];
            res->grouped[fill[ti[k]]++] = x;
        }
    for (Py_ssize_t i = 0; i < nt; i++) {
        jk_find *g = res->grouped + res->cnt[i];
        Py_ssize_t gn = res->cnt[i + 1] - res->cnt[i];
        Py_ssize_t kept = gn > 1 ? resolve(g, gn) : gn;
        if (kept < 0) goto end;
        Py_ssize_t nk = 0;
        for (Py_ssize_t k = 0; k < kept; k++)
            if (g[k].score >= min_score && ((mask >> g[k].type) & 1)) g[nk++] = g[k];
        res->kept[i] = nk;
    }
    rc = 0;
end:
    jk_finds_free(&f);
    PyMem_Free(s);
    PyMem_Free(starts);
    PyMem_Free(ti);
    PyMem_Free(fill);
    if (rc < 0) batch_free(res);
    return rc;
}

/* scan_many(texts, min_score, mask, fields=None) -> list[list[Finding]] (Scanner.scan_many);
 * fields, when given, holds the Finding.field value for each text. */
static PyObject *py_scan_many(PyObject *m, PyObject *args) {
    PyObject *seq, *fields_arg = Py_None, *ffast = NULL, *out = NULL;
    double min_score;
    unsigned long mask;
    if (!PyArg_ParseTuple(args, "Odk|O", &seq, &min_score, &mask, &fields_arg)) return NULL;
    if (not_configured()) return NULL;
    PyObject *fast = PySequence_Fast(seq, "scan_many() needs a sequence of str");
    if (!fast) return NULL;
    Py_ssize_t nt = PySequence_Fast_GET_SIZE(fast);
    if (fields_arg != Py_None) {
        ffast = PySequence_Fast(fields_arg, "scan_many() fields must be a sequence");
        if (!ffast) goto done;
        if (PySequence_Fast_GET_SIZE(ffast) != nt) {
            PyErr_SetString(PyExc_ValueError, "scan_many() needs one field per text");
            goto done;
        }
    }
    batch_result b;
    if (run_batch(PySequence_Fast_ITEMS(fast), nt, min_score, mask, &b) < 0) goto done;
    /* tens of thousands of lists and tuples, none of them in a cycle: no collection while they
     * are built (the count they add still triggers one afterwards, as usual) */
    int gc_was = PyGC_Disable();
    out = PyList_New(nt);
    for (Py_ssize_t i = 0; out && i < nt; i++) {
        PyObject *lst = PyList_New(b.kept[i]);
        if (!lst) { Py_CLEAR(out); break; }
        PyList_SET_ITEM(out, i, lst);
        for (Py_ssize_t k = 0; k < b.kept[i]; k++) {
            PyObject *o = make_finding(&b.grouped[b.cnt[i] + k], ffast ? PySequence_Fast_GET_ITEM(ffast, i) : Py_None);
            if (!o) { Py_CLEAR(out); break; }
            PyList_SET_ITEM(lst, k, o);
        }
    }
    if (gc_was) PyGC_Enable();
    batch_free(&b);
done:
    Py_XDECREF(ffast);
    Py_DECREF(fast);
    return out;
}

/* ------------------------------------------------------------------ JSON lines out */

typedef struct { char *b; Py_ssize_t n, cap; } obuf;

static int ob_put(obuf *o, const char *p, Py_ssize_t k) {
    if (o->n + k > o->cap) {
        Py_ssize_t cap = o->cap ? o->cap : 256;
        while (cap < o->n + k) cap *= 2;
        char *b = PyMem_Realloc(o->b, (size_t)cap);
        if (!b) { PyErr_NoMemory(); return -1; }
        o->b = b; o->cap = cap;
    }
    memcpy(o->b + o->n, p, (size_t)k);
    o->n += k;
    return 0;
}
#define OB_LIT(o, s) ob_put((o), (s), (Py_ssize_t)sizeof(s) - 1)

/* A str as a JSON string, escaped as orjson does: ", \ and U+0000-U+001F only. */
static int ob_jstr(obuf *o, PyObject *str) {
    Py_ssize_t k;
    const char *u = PyUnicode_AsUTF8AndSize(str, &k);
    if (!u) return -1;
    if (OB_LIT(o, "\"") < 0) return -1;
    Py_ssize_t run = 0;
    for (Py_ssize_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (ob_put(o, u + run, i - run) < 0) return -1;
        run = i + 1;
        char esc[7];
        const char *e = NULL;
        switch (c) {
            case '"': e = "\\\""; break;
            case '\\': e = "\\\\"; break;
            case '\n': e = "\\n"; break;
            case '\r': e = "\\r"; break;
            case '\t': e = "\\t"; break;
            case '\b': e = "\\b"; break;
            case '\f': e = "\\f"; break;
            default: snprintf(esc, sizeof esc, "\\u%04x", c); e = esc;
        }
        if (ob_put(o, e, (Py_ssize_t)strlen(e)) < 0) return -1;
    }
    if (ob_put(o, u + run, k - run) < 0) return -1;
    return OB_LIT(o, "\"");
}

/* round(x, 3) as Python prints it: the correctly rounded 3-place decimal, trailing zeros cut
 * down to one ("0.950" -> "0.95", "1.000" -> "1.0"). */
static int ob_score(obuf *o, double x) {
    char *t = PyOS_double_to_string(x, 'f', 3, 0, NULL);
    if (!t) return -1;
    Py_ssize_t k = (Py_ssize_t)strlen(t);
    while (k > 2 && t[k - 1] == '0' && t[k - 2] != '.') k--;
    if (k == 6 && strcmp(t, "-0.000") == 0) { k = 4; } /* round(-0.0001, 3) == -0.0 */
    int r = ob_put(o, t, k);
    PyMem_Free(t);
    return r;
}

/* One finding object of scan --json: {"field":..,"start":..,"end":..,"entity_type":..,"score":..} */
static int ob_finding(obuf *o, PyObject *field, long long a, long long b, PyObject *etype, double score) {
    char num[64];
    if (OB_LIT(o, "{\"field\":") < 0) return -1;
    if (field == Py_None ? OB_LIT(o, "null") < 0 : ob_jstr(o, field) < 0) return -1;
    int k = snprintf(num, sizeof num, ",\"start\":%lld,\"end\":%lld,\"entity_type\":", a, b);
    if (ob_put(o, num, k) < 0 || ob_jstr(o, etype) < 0 || OB_LIT(o, ",\"score\":") < 0) return -1;
    if (ob_score(o, score) < 0) return -1;
    return OB_LIT(o, "}");
}

/* findings_json(findings) -> bytes: the "findings" array of `jikimi scan --json`, as
 * orjson.dumps([f.to_dict() for f in findings]) writes it (field, start, end, entity_type and
 * score rounded to 3 places), without a dict per finding. */
static PyObject *py_findings_json(PyObject *m, PyObject *seq) {
    PyObject *fast = PySequence_Fast(seq, "findings_json() needs a sequence of Finding");
    if (!fast) return NULL;
    obuf o = {0};
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    if (OB_LIT(&o, "[") < 0) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *f = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) < 6) {
            PyErr_SetString(PyExc_TypeError, "findings_json() needs Finding tuples");
            goto fail;
        }
        PyObject *etype = PyTuple_GET_ITEM(f, 0), *st = PyTuple_GET_ITEM(f, 1), *en = PyTuple_GET_ITEM(f, 2);
        PyObject *sc = PyTuple_GET_ITEM(f, 3), *field = PyTuple_GET_ITEM(f, 5);
        if (!PyUnicode_Check(etype) || !PyLong_Check(st) || !PyLong_Check(en) || !PyFloat_Check(sc) ||
            (field != Py_None && !PyUnicode_Check(field))) {
            PyErr_SetString(PyExc_TypeError, "findings_json() needs Finding tuples");
            goto fail;
        }
        long long a = PyLong_AsLongLong(st), b = PyLong_AsLongLong(en);
        if ((a == -1 || b == -1) && PyErr_Occurred()) goto fail;
        if ((i && OB_LIT(&o, ",") < 0) || ob_finding(&o, field, a, b, etype, PyFloat_AS_DOUBLE(sc)) < 0) goto fail;
    }
    if (OB_LIT(&o, "]") < 0) goto fail;
    PyObject *out = PyBytes_FromStringAndSize(o.b, o.n);
    PyMem_Free(o.b);
    Py_DECREF(fast);
    return out;
fail:
    PyMem_Free(o.b);
    Py_DECREF(fast);
    return NULL;
}


/* scan_json(ids, texts, fields, min_score, mask) -> (bytes, stats, records with findings) | None
 *
 * The `jikimi scan --json` lines of a batch of one-field records, without Finding objects:
 * b'{"id":ID,"findings":[...]}\n' per record, exactly as orjson writes them from
 * Finding.to_dict. stats lists, per (field, entity type) in order of first appearance,
 * (field, type, count, first record index, start, end) for the summary's counts and examples.
 * None when an id is neither str nor int (the caller takes the general path). */
static PyObject *py_scan_json(PyObject *m, PyObject *args) {
    PyObject *ids, *texts, *fields;
    double min_score;
    unsigned long mask;
    if (!PyArg_ParseTuple(args, "O!O!O!dk", &PyList_Type, &ids, &PyList_Type, &texts, &PyList_Type, &fields,
                          &min_score, &mask))
        return NULL;
    if (not_configured()) return NULL;
    Py_ssize_t nt = PyList_GET_SIZE(texts);
    if (PyList_GET_SIZE(ids) != nt || PyList_GET_SIZE(fields) != nt) {
        PyErr_SetString(PyExc_ValueError, "scan_json() needs one id and one field per text");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nt; i++) {
        PyObject *id = PyList_GET_ITEM(ids, i), *fl = PyList_GET_ITEM(fields, i);
        if (!PyUnicode_CheckExact(id) && !PyLong_CheckExact(id)) Py_RETURN_NONE;
        if (!PyUnicode_Check(fl)) { PyErr_SetString(PyExc_TypeError, "scan_json() fields must be str"); return NULL; }
    }
    batch_result b;
    if (run_batch(((PyListObject *)texts)->ob_item, nt, min_score, mask, &b) < 0) return NULL;
    obuf o = {0};
    PyObject *result = NULL, *stats = NULL;
    /* per (field slot, type): count, first record, span; slots are distinct field names */
    typedef struct { Py_ssize_t count, first, start, end; } stat;
    Py_ssize_t nslots = 0, capslots = 0;
    PyObject **slot_field = NULL;
    stat *st = NULL;
    Py_ssize_t *order = NULL, norder = 0; /* slot * JK_N_ENTITIES + type, first-seen order */
    Py_ssize_t with_findings = 0;
    for (Py_ssize_t i = 0; i < nt; i++) {
        PyObject *id = PyList_GET_ITEM(ids, i), *fl = PyList_GET_ITEM(fields, i);
        if (OB_LIT(&o, "{\"id\":") < 0) goto fail;
        if (PyUnicode_CheckExact(id)) {
            if (ob_jstr(&o, id) < 0) goto fail;
        } else {
            PyObject *txt = PyObject_Str(id); /* int: its decimal form, as JSON wants */
            if (!txt) goto fail;
            Py_ssize_t k;
            const char *u = PyUnicode_AsUTF8AndSize(txt, &k);
            int r = u ? ob_put(&o, u, k) : -1;
            Py_DECREF(txt);
            if (r < 0) goto fail;
        }
        if (OB_LIT(&o, ",\"findings\":[") < 0) goto fail;
        Py_ssize_t slot = -1;
        if (b.kept[i]) {
            with_findings++;
            for (Py_ssize_t k = 0; k < nslots; k++)
                if (slot_field[k] == fl) { slot = k; break; }
            for (Py_ssize_t k = 0; slot < 0 && k < nslots; k++) {
                int eq = PyUnicode_Compare(slot_field[k], fl);
                if (eq == -1 && PyErr_Occurred()) goto fail;
                if (eq == 0) slot = k;
            }
            if (slot < 0) {
                if (nslots == capslots) {
                    Py_ssize_t cap = capslots ? capslots * 2 : 4;
                    PyObject **nf = PyMem_Realloc(slot_field, (size_t)cap * sizeof(PyObject *));
                    if (nf) slot_field = nf;
                    stat *ns = nf ? PyMem_Realloc(st, (size_t)cap * JK_N_ENTITIES * sizeof(stat)) : NULL;
                    if (ns) st = ns;
                    Py_ssize_t *no = ns ? PyMem_Realloc(order, (size_t)cap * JK_N_ENTITIES * sizeof(Py_ssize_t)) : NULL;
                    if (!no) { PyErr_NoMemory(); goto fail; }
                    order = no;
                    capslots = cap;
                }
                slot_field[nslots] = fl;
                memset(st + nslots * JK_N_ENTITIES, 0, JK_N_ENTITIES * sizeof(stat));
                slot = nslots++;
            }
        }
        for (Py_ssize_t k = 0; k < b.kept[i]; k++) {
            jk_find *f = &b.grouped[b.cnt[i] + k];
            if ((k && OB_LIT(&o, ",") < 0) || ob_finding(&o, fl, f->start, f->end, entity_str[f->type], f->score) < 0)
                goto fail;
            stat *x = &st[slot * JK_N_ENTITIES + f->type];
            if (x->count++ == 0) {
                x->first = i; x->start = f->start; x->end = f->end;
                order[norder++] = slot * JK_N_ENTITIES + f->type;
            }
        }
        if (OB_LIT(&o, "]}\n") < 0) goto fail;
    }
    stats = PyList_New(norder);
    if (!stats) goto fail;
    for (Py_ssize_t k = 0; k < norder; k++) {
        Py_ssize_t sl = order[k] / JK_N_ENTITIES, ty = order[k] % JK_N_ENTITIES;
        stat *x = &st[order[k]];
        PyObject *t = Py_BuildValue("(OOnnnn)", slot_field[sl], entity_str[ty], x->count, x->first, x->start, x->end);
        if (!t) goto fail;
        PyList_SET_ITEM(stats, k, t);
    }
    PyObject *bytes = PyBytes_FromStringAndSize(o.b, o.n);
    if (!bytes) goto fail;
    result = Py_BuildValue("(OOn)", bytes, stats, with_findings);
    Py_DECREF(bytes);
fail:
    Py_XDECREF(stats);
    PyMem_Free(o.b);
    PyMem_Free(slot_field);
    PyMem_Free(st);
    PyMem_Free(order);
    batch_free(&b);
    return result;
}

static PyObject *py_configure(PyObject *m, PyObject *cfg) {
    if (!PyDict_Check(cfg)) { PyErr_SetString(PyExc_TypeError, "configure() needs a dict"); return NULL; }
    PyObject *ft = jk_cfg_item(cfg, "finding_type"), *prio = jk_cfg_item(cfg, "priority");
    if (!ft || !prio) return NULL;
    if (!PyType_Check(ft) || !PyType_IsSubtype((PyTypeObject *)ft, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "finding_type must be a tuple subclass");
        return NULL;
    }
    for (int i = 0; i < JK_N_ENTITIES; i++) {
        PyObject *p = PyDict_GetItemString(prio, ENTITY_NAMES[i]);
        if (!p) { PyErr_Format(PyExc_KeyError, "no priority for %s", ENTITY_NAMES[i]); return NULL; }
        long v = PyLong_AsLong(p);
        if (v == -1 && PyErr_Occurred()) return NULL;
        priority[i] = (int)v;
    }
    if (jk_configure_context(cfg) < 0 || jk_configure_structured(cfg) < 0 ||
        jk_configure_persons(cfg) < 0 || jk_configure_addresses(cfg) < 0)
        return NULL;
    Py_INCREF(ft);
    Py_XSETREF(finding_type, (PyTypeObject *)ft);
    finding_plain = finding_type->tp_basicsize == PyTuple_Type.tp_basicsize &&
                    finding_type->tp_itemsize == PyTuple_Type.tp_itemsize && finding_type->tp_dictoffset == 0 &&
                    finding_type->tp_weaklistoffset == 0 && !finding_type->tp_finalize && !finding_type->tp_del;
    configured = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", py_configure, METH_O, "Load the recognizers' tables (a dict built by jikimi.detect.native)."},
    {"find_structured", py_find_structured, METH_O, "Raw findings of patterns.find_structured, as tuples."},
    {"find_persons", py_find_persons, METH_O, "Raw findings of names.find_persons, as tuples."},
    {"find_addresses", py_find_addresses, METH_O, "Raw findings of addresses.find_addresses, as tuples."},
    {"findings_json", py_findings_json, METH_O, "findings_json(findings) -> bytes: the JSON array of scan --json."},
    {"scan_json", py_scan_json, METH_VARARGS, "scan_json(ids, texts, fields, min_score, mask) -> (bytes, stats, n) | None"},
    {"scan_many", py_scan_many, METH_VARARGS, "scan_many(texts, min_score, entity_mask, fields=None) -> list[list[Finding]]"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "jikimi.detect._native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) {
    PyObject *m = PyModule_Create(&moddef);
    if (!m) return NULL;
    PyObject *ents = PyTuple_New(JK_N_ENTITIES), *recs = PyTuple_New(JR_N);
    if (!ents || !recs) goto fail;
    for (int i = 0; i < JK_N_ENTITIES; i++) {
        entity_str[i] = PyUnicode_InternFromString(ENTITY_NAMES[i]);
        if (!entity_str[i]) goto fail;
        Py_INCREF(entity_str[i]);
        PyTuple_SET_ITEM(ents, i, entity_str[i]);
    }
    for (int i = 0; i < JR_N; i++) {
        rec_str[i] = PyUnicode_InternFromString(REC_NAMES[i]);
        if (!rec_str[i]) goto fail;
        Py_INCREF(rec_str[i]);
        PyTuple_SET_ITEM(recs, i, rec_str[i]);
    }
    if (PyModule_AddObject(m, "ENTITIES", ents) < 0) goto fail;
    ents = NULL;
    if (PyModule_AddObject(m, "RECOGNIZERS", recs) < 0) goto fail;
    recs = NULL;
    if (PyModule_AddIntConstant(m, "NEGATIVE_BIT", JK_NEGATIVE) < 0) goto fail;
    return m;
fail:
    Py_XDECREF(ents);
    Py_XDECREF(recs);
    Py_DECREF(m);
    return NULL;
}
