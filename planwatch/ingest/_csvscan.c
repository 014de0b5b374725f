/* planwatch.ingest._csvscan: the byte check of CSV files read together, compiled.
 *
 * plain_csv(data, max_row) says whether CSV bytes are what DuckDB's reader reads as
 * pyarrow's does (planwatch/ingest/csvscan.py gives the rule and the same check in NumPy,
 * which is used where this module was not built). It looks at every byte once: the bytes
 * that matter (quotes, line feeds, carriage returns) are found 16 at a time with SSE2
 * where the compiler has it, one at a time otherwise, and each is then checked where it
 * stands. The GIL is let go of for the scan, so files are checked on several threads. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__)) && !defined(CSVSCAN_BYTEWISE)
#include <emmintrin.h>
#define CSVSCAN_SSE2 1
#endif

/* The scan's state: where the line began, what has been counted so far. */
typedef struct {
    const unsigned char *data;
    Py_ssize_t n, max_row, line, lf, cr, quotes, first_lf;
} scan;

/* A byte a quote may open or close a value next to. */
static int edge(unsigned char b) { return b == ',' || b == '\n' || b == '\r' || b == '"'; }

/* One byte that matters, at k: 0 if the file is not plain. */
static int hit(scan *s, Py_ssize_t k) {
    const unsigned char *d = s->data;
    switch (d[k]) {
    case '"':
        /* the even quotes open a value (after a comma, a line break or a quote, or at the
           start), the odd ones close it (before them, or at the end) */
        if (s->quotes++ & 1) return k + 1 == s->n || edge(d[k + 1]);
        return k == 0 || edge(d[k - 1]);
    case '\n':
        if (k - s->line > s->max_row) return 0; /* a line longer than DuckDB reads */
        s->line = k + 1;
        if (s->first_lf < 0) s->first_lf = k;
        s->lf++;
        return 1;
    default: /* '\r': it must end a line */
        s->cr++;
        return k + 1 < s->n && d[k + 1] == '\n';
    }
}

static int plain(const unsigned char *data, Py_ssize_t n, Py_ssize_t max_row) {
    scan s = {data, n, max_row, 0, 0, 0, 0, -1};
    Py_ssize_t i = 0;
#ifdef CSVSCAN_SSE2
    const __m128i quote = _mm_set1_epi8('"'), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(data + i));
        unsigned found = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, lf)), _mm_cmpeq_epi8(v, cr)));
        for (; found; found &= found - 1)
            if (!hit(&s, i + __builtin_ctz(found))) return 0;
    }
#endif
    for (; i < n; i++)
        if ((data[i] == '"' || data[i] == '\n' || data[i] == '\r') && !hit(&s, i)) return 0;
    if (n - s.line > max_row) return 0; /* the last line */
    /* with carriage returns, every line feed ends CR LF but the header's, which may be bare
       (data.police.uk's files) */
    if (s.cr && s.lf != s.cr + (s.first_lf > 0 && data[s.first_lf - 1] != '\r')) return 0;
    return s.quotes % 2 == 0; /* a quote left open */
}

static PyObject *plain_csv(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t max_row;
    int ok;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*n:plain_csv", &view, &max_row)) return NULL;
    Py_BEGIN_ALLOW_THREADS
    ok = plain((const unsigned char *)view.buf, view.len, max_row);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyBool_FromLong(ok);
}

static PyMethodDef methods[] = {
    {"plain_csv", plain_csv, METH_VARARGS,
     "plain_csv(data, max_row, /)\n--\n\nWhether CSV bytes are plain (planwatch.ingest.csvscan)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "planwatch.ingest._csvscan",
    "The byte check of CSV files read together, compiled (planwatch.ingest.csvscan).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__csvscan(void) { return PyModule_Create(&module); }
