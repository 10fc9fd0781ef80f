"""Accuracy and throughput of ``jikimi.scan`` against Microsoft Presidio on the labeled corpus.

Usage (from the repository root)::

    python bench/scan_bench.py                      # 20k records, Presidio on the first 2,000
    python bench/scan_bench.py --markdown           # also update docs/benchmarks.md
    python bench/scan_bench.py --no-presidio --no-cli   # quick jikimi-only run

What it measures
----------------
* Accuracy per entity type: precision, recall and F1 with **exact** matching (same start, end and
  type as the gold span, see ``docs/spans.md``) and, as a secondary figure, **overlap** matching
  (a prediction counts if it overlaps a gold span of the same type; recall counts gold spans
  overlapped by a prediction of the same type). Micro averages pool all types.
* In-process throughput: UTF-8 bytes of the record texts divided by the seconds spent inside the
  scan calls (single process, scanner built and warmed up beforehand). Each way of calling
  either tool is warmed up and then timed as the best of several passes; a timed pass only
  counts the findings (a pipeline consumes them as they come), the findings that are scored come
  from an untimed pass. jikimi's subset is timed before and after Presidio, best of both, so the
  two tools' passes span the same stretch of time on a shared machine. Presidio is timed both
  per call (``analyze``) and in batches (``BatchAnalyzerEngine``); ratios are taken against its
  faster way.
* jikimi runs on the whole corpus; Presidio, being slow, on the first ``--presidio-records``
  records. jikimi is also scored on that same subset, so the comparison lines are like for like,
  and the speed ratio is taken on the subset.
* End to end CLI: ``jikimi scan FILE --json --field text > /dev/null`` on a corpus of
  ``--cli-records`` records (default 200,000), timed with a subprocess; MB/s is the
  input file size over wall time (the target is >= 25 MB/s). If the CLI is missing or fails,
  that is reported instead of crashing.

Presidio setup (no spaCy model download needed)
-----------------------------------------------
There is no internet here, so ``python -m spacy download`` is not possible. The analyzer runs
on a **blank spaCy pipeline**: ``BlankSpacyNlpEngine`` subclasses Presidio's ``SpacyNlpEngine``
and overrides ``load()`` to build ``spacy.blank("ko")`` with spaCy's rule-based tokenizer
(``spacy.Tokenizer.v1``; the default Korean tokenizer needs mecab-ko) plus a one-line component
that copies each token's lower-cased text into ``lemma_``: Presidio's context enhancer compares
lemmas with the recognizers' context words (substring match), and a blank pipeline would leave
them empty and disable context boosting. With no NER model there is no ``SpacyRecognizer``, so
Presidio finds no PERSON or LOCATION here (its English models would not find Korean names or
addresses either).

Recognizers registered explicitly, all with ``supported_language="ko"`` (the language the
analyzer runs with): ``KrRrnRecognizer``, ``KrFrnRecognizer``, ``KrBrnRecognizer``,
``KrDriverLicenseRecognizer``, ``KrPassportRecognizer`` (from
``presidio_analyzer.predefined_recognizers``, Presidio >= 2.2.36x; not in the default registry
for ``ko``), ``PhoneRecognizer(supported_regions=("KR",))``, ``EmailRecognizer``,
``CreditCardRecognizer``, ``IpRecognizer`` and ``DateRecognizer``. ``EmailRecognizer`` validates
with ``tldextract``, which would try to download the Public Suffix List; the bench points
``tldextract.extract`` at an extractor that uses the bundled snapshot only.

Entity mapping: Presidio's names equal ours for KR_RRN, KR_FRN, KR_BRN, KR_DRIVER_LICENSE,
KR_PASSPORT, PHONE_NUMBER, EMAIL_ADDRESS, CREDIT_CARD, IP_ADDRESS and PERSON; DATE_TIME is
scored as DATE_OF_BIRTH and LOCATION as KR_ADDRESS. Presidio has no recognizer for KR_CRN,
KR_BANK_ACCOUNT, KR_HEALTH_INSURANCE, KR_VEHICLE_PLATE or KR_POSTAL_CODE (and none for PERSON or
KR_ADDRESS without an NER model); those count as misses in the all-type micro average, and a
second micro average covers only the types Presidio has a recognizer for. Presidio returns
overlapping results from different recognizers; as presidio-anonymizer would, overlaps are
resolved before scoring (higher score first, then longer span). The primary Presidio figures use
``AnalyzerEngine``'s default score threshold (0); a sweep over other thresholds is printed too.

Python packages needed beyond jikimi: ``presidio-analyzer`` and ``spacy`` (PyPI; no model).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import generate, write_jsonl
from jikimi.entities import ALL_ENTITIES

Span = tuple[int, int, str]
"""(start, end, entity_type)"""
Scored = tuple[int, int, str, float]

PRESIDIO_MAP = {
    "KR_RRN": "KR_RRN",
    "KR_FRN": "KR_FRN",
    "KR_BRN": "KR_BRN",
    "KR_DRIVER_LICENSE": "KR_DRIVER_LICENSE",
    "KR_PASSPORT": "KR_PASSPORT",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
    "IP_ADDRESS": "IP_ADDRESS",
    "DATE_TIME": "DATE_OF_BIRTH",
    "PERSON": "PERSON",
    "LOCATION": "KR_ADDRESS",
}
PRESIDIO_RECOGNIZED = frozenset(
    {
        "KR_RRN",
        "KR_FRN",
        "KR_BRN",
        "KR_DRIVER_LICENSE",
        "KR_PASSPORT",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "CREDIT_CARD",
        "IP_ADDRESS",
        "DATE_OF_BIRTH",
    }
)
"""Our types that the configured Presidio analyzer has at least one recognizer for."""
PRESIDIO_THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6)
CLI_TARGET_MBPS = 25.0
SUBSET_PASSES = 30
"""jikimi's timed passes on the Presidio subset, before and again after Presidio: a pass takes a
few milliseconds, so many passes are cheap, and a best-of over many is not decided by a few
slow moments of the shared machine (Presidio's passes take a second each and average those
moments out)."""
CLI_OK_CODES = (0, 1)
"""``jikimi scan`` exits 0 when nothing is found and 1 when something is; 2 is an error."""
SECTION_START = "<!-- scan-bench:start -->"
SECTION_END = "<!-- scan-bench:end -->"

# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Score:
    """Per-type exact and overlap counts, plus how many gold spans each type has."""

    exact: dict[str, Counts] = field(default_factory=dict)
    overlap: dict[str, Counts] = field(default_factory=dict)
    gold: dict[str, int] = field(default_factory=dict)
    masked_gold: int = 0
    masked_found: int = 0

    def micro(self, kind: str, types: Iterable[str] | None = None) -> Counts:
        table = self.exact if kind == "exact" else self.overlap
        total = Counts()
        for t in types if types is not None else ALL_ENTITIES:
            total.add(table.get(t, Counts()))
        return total


def score(gold: Sequence[Sequence[dict[str, Any]]], pred: Sequence[Sequence[Span]]) -> Score:
    """Compare gold spans with predicted spans record by record."""
    s = Score(
        exact={t: Counts() for t in ALL_ENTITIES},
        overlap={t: Counts() for t in ALL_ENTITIES},
        gold=dict.fromkeys(ALL_ENTITIES, 0),
    )
    for gspans, pspans in zip(gold, pred, strict=True):
        g = {(d["start"], d["end"], d["entity_type"]) for d in gspans}
        p = set(pspans)
        for t in ALL_ENTITIES:
            gt = {x for x in g if x[2] == t}
            pt = {x for x in p if x[2] == t}
            s.gold[t] += len(gt)
            ex = s.exact[t]
            hit = len(gt & pt)
            ex.tp += hit
            ex.fp += len(pt) - hit
            ex.fn += len(gt) - hit
            ov = s.overlap[t]
            ov.tp += sum(1 for a in pt if any(a[0] < b[1] and b[0] < a[1] for b in gt))
            ov.fp += sum(1 for a in pt if not any(a[0] < b[1] and b[0] < a[1] for b in gt))
            ov.fn += sum(1 for b in gt if not any(a[0] < b[1] and b[0] < a[1] for a in pt))
        for d in gspans:
            if d.get("masked"):
                s.masked_gold += 1
                s.masked_found += (d["start"], d["end"], d["entity_type"]) in p
    return s


def resolve_overlaps(results: Iterable[Scored]) -> list[Span]:
    """Keep a non-overlapping subset: higher score first, then the longer span, then earlier."""
    kept: list[Scored] = []
    for r in sorted(results, key=lambda r: (-r[3], -(r[1] - r[0]), r[0])):
        if all(r[1] <= k[0] or r[0] >= k[1] for k in kept):
            kept.append(r)
    return sorted((k[0], k[1], k[2]) for k in kept)


# ---------------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    name: str
    pred: list[list[Span]]
    seconds: float
    nbytes: int
    raw: list[list[Scored]] | None = None
    batch_seconds: float = 0.0
    """jikimi only: the same texts through ``Scanner.scan_many`` in the scan job's batches."""

    @property
    def mbps(self) -> float:
        return self.nbytes / 1e6 / self.seconds if self.seconds else 0.0

    @property
    def batch_mbps(self) -> float:
        return self.nbytes / 1e6 / self.batch_seconds if self.batch_seconds else 0.0


def _batch_records() -> int:
    from jikimi.scanning import BATCH_RECORDS

    return BATCH_RECORDS


WARMUP_SECONDS = 0.3
"""Untimed calls before the timed ones, for each way of calling either tool: the first passes
of a fresh process run measurably slower (heap growth, caches), and a best-of over passes that
are all cold would report the warm-up, not the scanner."""


def best_time(fn: Callable[[], int], passes: int, warmup: float = WARMUP_SECONDS) -> float:
    """Best seconds of ``passes`` timed calls of ``fn``, after untimed calls for ``warmup``
    seconds.

    The timed calls consume each result as a pipeline would (``fn`` returns only how many
    findings it saw): the results scored for accuracy come from a separate, untimed call, so
    neither tool's timing includes the harness converting its results or keeping a whole
    pass's results alive into the next pass."""
    t_end = time.perf_counter() + warmup
    while time.perf_counter() < t_end:
        fn()
    best = float("inf")
    for _ in range(max(1, passes)):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run_jikimi(texts: Sequence[str], min_score: float, repeat: int = 1) -> Run:
    """Scan every text; the time is the best of ``repeat`` passes (the machine may be shared).

    Two ways, same findings (checked): one ``jikimi.scan(text)`` call per text, as Presidio's
    ``analyze`` is called, and ``Scanner.scan_many`` over batches of the size ``jikimi scan``
    uses (how a corpus is scanned: ``ScanJob``, ``protect``), as Presidio's
    ``BatchAnalyzerEngine`` is."""
    import jikimi
    from jikimi.detect.engine import Scanner
    from jikimi.scanning import BATCH_RECORDS

    scan = jikimi.scan
    pred = [[(f.start, f.end, f.entity_type) for f in scan(t, min_score=min_score)] for t in texts]

    def per_call() -> int:
        return sum(len(scan(text, min_score=min_score)) for text in texts)

    best = best_time(per_call, repeat)
    scanner = Scanner(min_score=min_score)
    chunks = [list(texts[i : i + BATCH_RECORDS]) for i in range(0, len(texts), BATCH_RECORDS)]
    found = [fs for chunk in chunks for fs in scanner.scan_many(chunk)]
    if [[(f.start, f.end, f.entity_type) for f in fs] for fs in found] != pred:
        raise SystemExit("Scanner.scan_many and jikimi.scan disagree")

    def batched() -> int:
        return sum(len(fs) for chunk in chunks for fs in scanner.scan_many(chunk))

    batch_best = best_time(batched, repeat)
    return Run(
        "jikimi", pred, best, sum(len(t.encode("utf-8")) for t in texts), batch_seconds=batch_best
    )


def _offline_tldextract() -> None:
    """Make Presidio's EmailRecognizer use tldextract's bundled suffix list, never the network."""
    import tldextract

    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    tldextract.extract = offline  # type: ignore[assignment]


def build_presidio(language: str = "ko") -> Any:
    """An ``AnalyzerEngine`` on a blank spaCy pipeline with the Korean and generic recognizers."""
    import logging

    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        DateRecognizer,
        EmailRecognizer,
        IpRecognizer,
        KrBrnRecognizer,
        KrDriverLicenseRecognizer,
        KrFrnRecognizer,
        KrPassportRecognizer,
        KrRrnRecognizer,
        PhoneRecognizer,
    )
    from spacy.language import Language
    from spacy.tokens import Doc

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    _offline_tldextract()

    if "bench_lemma_from_lower" not in Language.factories:

        def lemma_from_lower(doc: Doc) -> Doc:
            for tok in doc:
                tok.lemma_ = tok.lower_
            return doc

        Language.component("bench_lemma_from_lower", func=lemma_from_lower)

    class BlankSpacyNlpEngine(SpacyNlpEngine):
        """SpacyNlpEngine over ``spacy.blank``: tokens and lemmas only, no NER, no download."""

        def __init__(self, lang: str) -> None:
            super().__init__(models=[{"lang_code": lang, "model_name": f"blank:{lang}"}])
            self._lang = lang

        def load(self) -> None:
            nlp = spacy.blank(
                self._lang,
                config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}},
            )
            nlp.add_pipe("bench_lemma_from_lower")
            self.nlp = {self._lang: nlp}  # type: ignore[assignment]

    engine = BlankSpacyNlpEngine(language)
    engine.load()
    registry = RecognizerRegistry(supported_languages=[language])
    for rec in (
        KrRrnRecognizer(supported_language=language),
        KrFrnRecognizer(supported_language=language),
        KrBrnRecognizer(supported_language=language),
        KrDriverLicenseRecognizer(supported_language=language),
        KrPassportRecognizer(supported_language=language),
        PhoneRecognizer(supported_language=language, supported_regions=("KR",)),
        EmailRecognizer(supported_language=language),
        CreditCardRecognizer(supported_language=language),
        IpRecognizer(supported_language=language),
        DateRecognizer(supported_language=language),
    ):
        registry.add_recognizer(rec)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=[language])


def run_presidio(texts: Sequence[str], language: str = "ko", passes: int = 2) -> Run:
    """Presidio over the texts, warmed up as jikimi is; the time is the best of ``passes``
    passes, as jikimi's is the best of several (a load spike on the shared machine must not
    count). Two ways, same results (checked): one ``analyze`` call per text, and
    ``BatchAnalyzerEngine.analyze_iterator`` in batches of jikimi's batch size (spaCy's
    ``nlp.pipe`` underneath)."""
    from presidio_analyzer import BatchAnalyzerEngine

    analyzer = build_presidio(language)
    batch = BatchAnalyzerEngine(analyzer_engine=analyzer)
    size = _batch_records()

    def scored(results: Iterable[Any]) -> list[Scored]:
        return [(r.start, r.end, r.entity_type, float(r.score)) for r in results]

    def batches() -> Iterable[list[Any]]:
        return batch.analyze_iterator(list(texts), language=language, batch_size=size)

    # the untimed calls whose results are scored are the warm-up
    raw = [scored(analyzer.analyze(text=text, language=language)) for text in texts]
    braw = [scored(results) for results in batches()]
    if [[r[:3] for r in rs] for rs in braw] != [[r[:3] for r in rs] for rs in raw]:
        raise SystemExit("Presidio's BatchAnalyzerEngine and analyze disagree")

    def per_call() -> int:
        return sum(len(analyzer.analyze(text=text, language=language)) for text in texts)

    def batched() -> int:
        return sum(len(results) for results in batches())

    seconds = best_time(per_call, passes, warmup=0.0)
    batch_seconds = best_time(batched, passes, warmup=0.0)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    run = Run("Presidio", [], seconds, nbytes, raw, batch_seconds=batch_seconds)
    run.pred = presidio_predictions(raw, 0.0)
    return run


def presidio_predictions(raw: Sequence[Sequence[Scored]], threshold: float) -> list[list[Span]]:
    out: list[list[Span]] = []
    for results in raw:
        mapped = [
            (s, e, PRESIDIO_MAP[t], sc)
            for s, e, t, sc in results
            if t in PRESIDIO_MAP and sc >= threshold
        ]
        out.append(resolve_overlaps(mapped))
    return out


def presidio_available() -> str | None:
    """None if presidio-analyzer and spaCy import, else the reason."""
    for mod in ("presidio_analyzer", "spacy"):
        if importlib.util.find_spec(mod) is None:
            return f"{mod} not installed (pip install presidio-analyzer spacy)"
    return None


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class CliInput:
    """One input file timed through ``jikimi scan FILE --json --field text``."""

    label: str
    path: Path
    nbytes: int
    records: int
    seconds: float = 0.0
    """Best wall time over the repetitions, process start included."""
    findings: int = 0

    @property
    def mbps(self) -> float:
        return self.nbytes / 1e6 / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class CliResult:
    ok: bool
    message: str
    inputs: list[CliInput] = field(default_factory=list)
    startup: float = 0.0
    """Best wall time of the same command on a one-record file: interpreter and imports."""
    repeat: int = 1
    load: str = ""
    consistency: str = ""


def _jikimi_executable() -> str | None:
    local = Path(sys.executable).with_name("jikimi")
    if local.exists():
        return str(local)
    return shutil.which("jikimi")


def _cli_consistency(
    exe: str, records: Sequence[dict[str, Any]], min_score: float, workdir: Path
) -> str:
    """Compare CLI findings with the library's on a small sample."""
    import jikimi

    sample_path = workdir / "cli_sample.jsonl"
    write_jsonl(records, sample_path)
    proc = subprocess.run(
        [exe, "scan", str(sample_path), "--json", "--field", "text"],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode not in CLI_OK_CODES:
        return f"sample run failed (exit {proc.returncode})"
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    try:
        objs = [json.loads(ln) for ln in lines]
    except json.JSONDecodeError:
        return "output is not JSON lines"
    by_id = {str(o.get("id")): o for o in objs if isinstance(o, dict)}
    mismatched = 0
    for i, rec in enumerate(records):
        obj = by_id.get(rec["id"]) or (objs[i] if i < len(objs) else None)
        cli = {
            (f["start"], f["end"], f["entity_type"])
            for f in (obj or {}).get("findings", [])
            if f.get("field") in (None, "text")
        }
        lib = {
            (f.start, f.end, f.entity_type) for f in jikimi.scan(rec["text"], min_score=min_score)
        }
        mismatched += cli != lib
    if mismatched:
        return f"CLI and library disagree on {mismatched}/{len(records)} sample records"
    return f"CLI findings equal library findings on {len(records)} sample records"


def _time_scan(exe: str, path: Path, repeat: int) -> tuple[float, int, str | None]:
    """Best wall time of ``jikimi scan PATH --json --field text > /dev/null``, the number of
    findings its summary reports, or an error message."""
    best = float("inf")
    findings = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(
                [exe, "scan", str(path), "--json", "--field", "text"],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                timeout=3600,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return 0.0, 0, f"{type(exc).__name__}: {exc}"
        wall = time.perf_counter() - t0
        # jikimi's exit codes: 0 nothing found, 1 findings, 2 usage/input error.
        if proc.returncode not in CLI_OK_CODES:
            tail = (proc.stderr.strip().splitlines() or ["no stderr"])[-1][:200]
            return 0.0, 0, f"exit {proc.returncode}: {tail}"
        best = min(best, wall)
        summary = json.loads(proc.stderr.strip().splitlines()[-1])["summary"]
        findings = int(summary["findings"])
    return best, findings, None


def _write_lines(rows: Iterable[dict[str, Any]], path: Path) -> int:
    data = b"".join(
        json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in rows
    )
    path.write_bytes(data)
    return len(data)


def run_cli(records: int, seed: int, workdir: Path, min_score: float, repeat: int) -> CliResult:
    """Time the CLI on JSON Lines as a training corpus holds them.

    Three inputs from the same generated records: ``{"id", "text"}`` lines (short, dense
    records: the hardest case for per-record overhead), the same texts grouped ten to a line as
    documents, and the labeled corpus file itself (gold spans included, as earlier runs used).
    MB/s is input bytes over the best wall time of ``repeat`` runs, process start included; the
    start-up alone is timed on a one-record file.
    """
    exe = _jikimi_executable()
    if exe is None:
        return CliResult(False, "CLI not available (no `jikimi` executable on PATH)")
    recs = generate(records, seed)
    workdir.mkdir(parents=True, exist_ok=True)
    plain = workdir / f"plain_{records}_s{seed}.jsonl"
    docs = workdir / f"docs_{records // 10}_s{seed}.jsonl"
    labeled = workdir / f"corpus_{records}_s{seed}.jsonl"
    one = workdir / "one_record.jsonl"
    inputs = [
        CliInput("id + text, one short record per line", plain,
                 _write_lines(({"id": r["id"], "text": r["text"]} for r in recs), plain), records),
        CliInput("id + text, ten records per line", docs, _write_lines(
            ({"id": f"doc-{i // 10}", "text": "\n".join(r["text"] for r in recs[i : i + 10])}
             for i in range(0, len(recs), 10)), docs), (records + 9) // 10),
        CliInput("labeled corpus file (gold spans in each line)", labeled,
                 write_jsonl(recs, labeled), records),
    ]
    _write_lines([{"id": recs[0]["id"], "text": recs[0]["text"]}], one)
    res = CliResult(True, "ok", inputs, repeat=repeat)
    res.startup, _, err = _time_scan(exe, one, repeat)
    if err is not None:
        return CliResult(False, f"CLI not available ({err})")
    for inp in inputs:
        inp.seconds, inp.findings, err = _time_scan(exe, inp.path, repeat)
        if err is not None:
            return CliResult(False, f"CLI failed on {inp.path.name} ({err})")
    res.load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    res.consistency = _cli_consistency(exe, recs[:300], min_score, workdir)
    return res


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(pkg: str) -> str:
        try:
            return importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu or "unknown",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "jikimi": version("jikimi"),
        "presidio-analyzer": version("presidio-analyzer"),
        "spacy": version("spacy"),
    }


def _per_type_table(columns: Sequence[tuple[str, Score, frozenset[str] | None]]) -> list[str]:
    head = "| entity | gold |"
    rule = "|---|---:|"
    for name, _s, _c in columns:
        head += f" {name} P | {name} R | {name} F1 | {name} F1 overlap |"
        rule += "---:|---:|---:|---:|"
    lines = [head, rule]
    first = columns[0][1]
    for t in ALL_ENTITIES:
        row = f"| {t} | {first.gold[t]} |"
        for _name, s, covered in columns:
            if covered is not None and t not in covered:
                row += " — | — | — | — |"
                continue
            ex, ov = s.exact[t], s.overlap[t]
            row += f" {_pct(ex.precision)} | {_pct(ex.recall)} | {_pct(ex.f1)} | {_pct(ov.f1)} |"
        lines.append(row)
    return lines


def _micro_line(label: str, s: Score, types: Iterable[str] | None = None) -> str:
    ts = list(types) if types is not None else None
    ex, ov = s.micro("exact", ts), s.micro("overlap", ts)
    return (
        f"| {label} | {_pct(ex.precision)} | {_pct(ex.recall)} | {_pct(ex.f1)} | "
        f"{_pct(ov.precision)} | {_pct(ov.recall)} | {_pct(ov.f1)} |"
    )


def report(
    args: argparse.Namespace,
    meta: dict[str, Any],
    full: Score,
    jrun: Run,
    sub_j: Score | None,
    sub_jrun: Run | None,
    sub_p: Score | None,
    prun: Run | None,
    presidio_note: str | None,
    sweep: list[tuple[float, Counts, Counts]],
    cli: CliResult | None,
) -> str:
    m = _machine()
    out: list[str] = []
    out.append(f"Command: `{meta['command']}`  ")
    out.append(
        f"Machine: {m['cpu']}, nproc {m['nproc']}, {m['os']}, Python {m['python']}; "
        f"jikimi {m['jikimi']}, presidio-analyzer {m['presidio-analyzer']}, "
        f"spaCy {m['spacy']}; run {m['date']}.  "
    )
    out.append(
        f"Corpus: `bench/corpus.py --records {args.records} --seed {args.seed}`: "
        f"{args.records} records, {meta['gold_spans']} gold spans, "
        f"{jrun.nbytes / 1e6:.2f} MB of text. jikimi `min_score={args.min_score}`."
    )
    out.append("")
    out.append(f"### jikimi, whole corpus ({args.records} records)")
    out.append("")
    out.append(
        f"Throughput (in process, single thread, best of {args.repeat}, "
        f"{jrun.nbytes / 1e6:.2f} MB of text): one `jikimi.scan(text)` call per record "
        f"**{jrun.mbps:.2f} MB/s** ({jrun.seconds:.3f} s); `Scanner.scan_many` in batches of "
        f"{_batch_records()} records **{jrun.batch_mbps:.2f} MB/s** ({jrun.batch_seconds:.3f} s).  "
    )
    if full.masked_gold:
        out.append(
            f"Masked values (`010-****-1234`, `김*수`…): {full.masked_found}/"
            f"{full.masked_gold} found exactly."
        )
    out.append("")
    out.append("| micro | P | R | F1 | P overlap | R overlap | F1 overlap |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    out.append(_micro_line("jikimi, all 17 types", full))
    out.append("")
    out.extend(_per_type_table([("jikimi", full, None)]))
    out.append("")
    if sub_j is not None and sub_jrun is not None:
        n = len(sub_jrun.pred)
        out.append(f"### jikimi vs Presidio, first {n} records")
        out.append("")
        if sub_p is None or prun is None:
            out.append(f"Presidio not run: {presidio_note}.")
            out.append("")
        else:
            fastest = max(prun.mbps, prun.batch_mbps)
            ratio = sub_jrun.mbps / fastest if fastest else float("inf")
            bratio = sub_jrun.batch_mbps / fastest if fastest else float("inf")
            reps = max(args.repeat, SUBSET_PASSES)
            out.append(
                f"Throughput on the subset ({sub_jrun.nbytes / 1e6:.2f} MB), each way warmed up, "
                f"best of its passes: Presidio one `analyze` call per record **{prun.mbps:.3f} MB/s** "
                f"({prun.seconds:.1f} s, best of 2), `BatchAnalyzerEngine` in batches of "
                f"{_batch_records()} **{prun.batch_mbps:.3f} MB/s** ({prun.batch_seconds:.1f} s, "
                f"best of 2); jikimi (best of {reps} before and {reps} after Presidio) one call "
                f"per record **{sub_jrun.mbps:.2f} MB/s** = **{ratio:.0f}x** Presidio, "
                f"`Scanner.scan_many` in batches **{sub_jrun.batch_mbps:.2f} MB/s** = "
                f"**{bratio:.0f}x** Presidio (target: 300x). Both ratios are taken against "
                "Presidio's faster way. Presidio runs here without any spaCy NER model, so this "
                "is its fastest configuration; with `en_core_web_lg` it would be slower still.  "
            )
            out.append(
                "Presidio: blank spaCy `ko` pipeline (no NER model), Korean recognizers "
                "KR_RRN/KR_FRN/KR_BRN/KR_DRIVER_LICENSE/KR_PASSPORT + Phone(KR), Email, "
                "CreditCard, Ip, Date; DATE_TIME scored as DATE_OF_BIRTH; score "
                "threshold 0 (AnalyzerEngine default). Presidio has **no recognizer** "
                "for KR_CRN, KR_BANK_ACCOUNT, KR_HEALTH_INSURANCE, KR_VEHICLE_PLATE, "
                "KR_POSTAL_CODE, and none for PERSON/KR_ADDRESS without an NER model "
                "(marked — below; they count as misses in the all-type micro line)."
            )
            out.append("")
            covered = sorted(PRESIDIO_RECOGNIZED)
            out.append("| micro | P | R | F1 | P overlap | R overlap | F1 overlap |")
            out.append("|---|---:|---:|---:|---:|---:|---:|")
            out.append(_micro_line("jikimi, all 17 types", sub_j))
            out.append(_micro_line("Presidio, all 17 types", sub_p))
            out.append(
                _micro_line(f"jikimi, the {len(covered)} types Presidio covers", sub_j, covered)
            )
            out.append(_micro_line(f"Presidio, the {len(covered)} types it covers", sub_p, covered))
            out.append("")
            out.append(
                "Presidio score-threshold sweep (micro over the types it covers): "
                + "; ".join(
                    f"≥{th:g}: F1 {_pct(ex.f1)} (overlap {_pct(ov.f1)})" for th, ex, ov in sweep
                )
                + "."
            )
            out.append("")
            out.extend(
                _per_type_table([("jikimi", sub_j, None), ("Presidio", sub_p, PRESIDIO_RECOGNIZED)])
            )
            out.append("")
    out.append("### End-to-end CLI")
    out.append("")
    if cli is None:
        out.append("Not run (`--no-cli`).")
    elif not cli.ok:
        out.append(f"{cli.message}.")
    else:
        out.append(
            f"`jikimi scan FILE --json --field text > /dev/null`, best wall time of {cli.repeat} "
            f"runs, process start included (start-up alone, on a one-record file: "
            f"{cli.startup:.2f} s); load average (1/5/15 min) after the runs: {cli.load}. Target: "
            f"{CLI_TARGET_MBPS:g} MB/s of input on one core."
        )
        out.append("")
        out.append("| input | records | MB | findings | seconds | MB/s | target |")
        out.append("|---|---:|---:|---:|---:|---:|---|")
        for inp in cli.inputs:
            verdict = "meets" if inp.mbps >= CLI_TARGET_MBPS else "below"
            out.append(
                f"| {inp.label} (`{inp.path.name}`) | {inp.records} | {inp.nbytes / 1e6:.1f} | "
                f"{inp.findings} | {inp.seconds:.2f} | **{inp.mbps:.1f}** | {verdict} |"
            )
        out.append("")
        out.append(f"{cli.consistency}.")
    out.append("")
    return "\n".join(out)


def update_markdown(path: Path, body: str) -> None:
    section = (
        f"{SECTION_START}\n## Scan accuracy and throughput (bench/scan_bench.py)\n\n"
        f"{body}\n{SECTION_END}\n"
    )
    if path.exists():
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(
            re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END) + r"\n?", re.DOTALL
        )
        if pattern.search(text):
            text = pattern.sub(lambda _m: section, text, count=1)
        else:
            text = text.rstrip("\n") + "\n\n" + section
    else:
        text = "# Benchmarks\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def load_corpus(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _progress(quiet: bool) -> Callable[[str], None]:
    def say(msg: str) -> None:
        if not quiet:
            print(f"[scan-bench] {msg}", file=sys.stderr, flush=True)

    return say


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="jikimi vs Presidio: accuracy and throughput.")
    ap.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="labeled JSONL from bench/corpus.py (default: generate it)",
    )
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--min-score", type=float, default=0.5, help="jikimi min_score")
    ap.add_argument("--repeat", type=int, default=3, help="jikimi timing passes (best kept)")
    ap.add_argument("--presidio-records", type=int, default=2000)
    ap.add_argument("--no-presidio", action="store_true")
    ap.add_argument("--cli-records", type=int, default=200000)
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument(
        "--markdown",
        nargs="?",
        const=ROOT / "docs" / "benchmarks.md",
        type=Path,
        default=None,
        help="write/update the bench section of this file (default docs/benchmarks.md)",
    )
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    say = _progress(args.quiet)
    cmd = " ".join(["python bench/scan_bench.py", *(sys.argv[1:] if argv is None else argv)])

    if args.corpus is not None:
        records = load_corpus(args.corpus)
        args.records = len(records)
    else:
        say(f"generating corpus: {args.records} records, seed {args.seed}")
        records = generate(args.records, args.seed)
        write_jsonl(records, args.workdir / "corpus.jsonl")
    texts = [r["text"] for r in records]
    gold = [r["spans"] for r in records]

    say("jikimi: scanning the whole corpus")
    jrun = run_jikimi(texts, args.min_score, args.repeat)
    full = score(gold, jrun.pred)

    n_sub = min(args.presidio_records, len(records))
    sub_j = sub_p = None
    sub_jrun = prun = None
    sweep: list[tuple[float, Counts, Counts]] = []
    presidio_note = None
    if not args.no_presidio and n_sub > 0:
        sub_jrun = run_jikimi(texts[:n_sub], args.min_score, max(args.repeat, SUBSET_PASSES))
        sub_j = score(gold[:n_sub], sub_jrun.pred)
        presidio_note = presidio_available()
        if presidio_note is None:
            say(f"Presidio: analyzing the first {n_sub} records (slow)")
            try:
                prun = run_presidio(texts[:n_sub])
            except Exception as exc:  # noqa: BLE001 - optional comparison: report, don't crash
                presidio_note = f"Presidio failed: {type(exc).__name__}: {exc}"
                prun = None
            if prun is not None and prun.raw is not None:
                # timed again after Presidio, best of both kept: the two tools' passes then
                # span the same stretch of time on a shared machine
                again = run_jikimi(texts[:n_sub], args.min_score, max(args.repeat, SUBSET_PASSES))
                sub_jrun.seconds = min(sub_jrun.seconds, again.seconds)
                sub_jrun.batch_seconds = min(sub_jrun.batch_seconds, again.batch_seconds)
                sub_p = score(gold[:n_sub], prun.pred)
                covered = sorted(PRESIDIO_RECOGNIZED)
                for th in PRESIDIO_THRESHOLDS:
                    s = score(gold[:n_sub], presidio_predictions(prun.raw, th))
                    sweep.append((th, s.micro("exact", covered), s.micro("overlap", covered)))

    cli = None
    if not args.no_cli:
        say(f"CLI: generating {args.cli_records} records and timing `jikimi scan`")
        cli = run_cli(args.cli_records, args.seed, args.workdir, args.min_score, args.repeat)

    meta = {"command": cmd, "gold_spans": sum(len(g) for g in gold)}
    body = report(args, meta, full, jrun, sub_j, sub_jrun, sub_p, prun, presidio_note, sweep, cli)
    print(body)
    if args.markdown is not None:
        update_markdown(args.markdown, body)
        say(f"updated {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
