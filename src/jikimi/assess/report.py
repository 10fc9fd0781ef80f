"""Markdown and self-contained HTML reports of an assessment.

Why self-contained: the HTML report is evidence that gets mailed, archived for five years (AI
Basic Act Decree Art. 27) and opened offline by a regulator, so it has no external assets — styles
inline, the compute chart as inline SVG, and the Korean/English toggle done with two radio inputs
and CSS (no script needed). The Markdown report carries the same facts for review in a repository.
Unsettled law is shown first, before the checklist, so nobody reads a guess as an answer.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from jikimi.assess.engine import Assessment

_STATUS = {
    "evidenced": ("evidence found", "증빙 확인", "✅"),
    "deemed_met": ("deemed met via developer", "개발사업자 이행으로 간주", "☑️"),
    "incomplete": ("evidence incomplete", "증빙 일부 누락", "⚠️"),
    "failed": ("evidence failed its checks", "증빙 검증 실패", "❌"),
    "missing": ("evidence missing", "증빙 없음", "❌"),
    "upcoming": ("applies from its effective date", "시행일부터 적용", "🕒"),
    "info": ("for information", "참고", "ℹ️"),
    "not_applicable": ("does not apply", "해당 없음", "—"),
}
_OBLIGATION = {
    "mandatory": ("mandatory", "의무"), "best_efforts": ("best efforts", "노력 의무"),
    "principle": ("principle", "원칙"), "info": ("information", "정보"),
}


def _krw(v: float | None) -> str:
    return "unknown" if v is None else f"KRW {v:,.0f}"


def _flops(v: float | None) -> str:
    if v is None:
        return "not estimated"
    exp = math.floor(math.log10(v)) if v > 0 else 0
    return f"{v / 10 ** exp:.2f} × 10^{exp} FLOPs"


def _yn(b: bool) -> str:
    return "yes" if b else "no"


# -- Markdown ---------------------------------------------------------------------------------


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def render_markdown(a: Assessment) -> str:
    """The report as Markdown (English, with Korean titles of duties)."""
    desc = a.description
    out: list[str] = []
    w = out.append
    w(f"# AI Basic Act and PIPA assessment: {desc.title}")
    w("")
    w(f"Operator: **{desc.operator.name}** ({desc.operator.role.replace('_', '-')}); assessed as of "
      f"**{a.today.isoformat()}** against jikimi's knowledge base as of {a.kb.as_of.isoformat()}. "
      "Not legal advice.")
    w("")
    w("## Summary")
    w("")
    w("| question | answer | basis |")
    w("|---|---|---|")
    hi = a.high_impact
    areas = ", ".join(f"({x['letter']}) {x['en']}" for x in hi.areas) or "none"
    w(f"| High-impact AI | **{_yn(hi.high_impact)}** (areas: {_md_cell(areas)}) | AI Basic Act Art. 2(4); {_md_cell('; '.join(hi.reasons))} |")
    w(f"| Generative AI | **{_yn(desc.system.generative)}** | AI Basic Act Art. 2 |")
    w(f"| Training compute | **{_flops(a.compute.flops)}** (method: {a.compute.method or 'none'}) | threshold 10^26 FLOPs, Decree Art. 24 |")
    crit = a.safety["criteria"]
    w(f"| Safety duty (Art. 32) | **{_yn(a.safety['applies'])}** | ≥ 10^26: {_yn(crit['compute_at_or_above_1e26'])}; state of the art: {_yn(crit['state_of_the_art'])}; broad serious risk: {_yn(crit['broad_serious_risk'])} |")
    trig = "; ".join(f"{t['test']} = {t['value']:,} ≥ {t['threshold']:,}" if not isinstance(t["value"], bool) else t["test"] for t in a.agent.triggers) or "none"
    w(f"| Domestic agent (Art. 36) | **{_yn(a.agent.required)}** | foreign operator: {_yn(a.agent.foreign_operator)}; triggered by: {_md_cell(trig)} |")
    counts: dict[str, int] = {}
    for duty in a.duties:
        counts[duty["status"]] = counts.get(duty["status"], 0) + 1
    w(f"| Duties | {', '.join(f'{v} {_STATUS[k][0]}' for k, v in sorted(counts.items()))} | {len(a.duties)} rules checked |")
    w("")
    if a.unsettled:
        w("## Where the law is unsettled")
        w("")
        w("These points are open or unverified in jikimi's reference; the assessment does not guess.")
        w("")
        for u in a.unsettled:
            w(f"- **{u['rule']}**: {u['en']} [{', '.join(u['sources'])}]")
        w("")
    if a.warnings:
        w("## Warnings")
        w("")
        for msg in a.warnings:
            w(f"- {msg}")
        w("")
    for n in a.notes:
        w(f"> Note: {n['en']} [{', '.join(n['sources'])}]")
        w("")
    w("## Duty checklist")
    w("")
    w("| | duty | citation | obligation | status | evidence | due / grace |")
    w("|---|---|---|---|---|---|---|")
    applicable = [x for x in a.duties if x["applies"]]
    for x in applicable:
        due = x["due"] or ""
        if x["grace_period"]:
            g = x["grace_period"]
            due += f"; grace until at least {g['earliest_end']} ({g['status']})"
        w(f"| {_STATUS[x['status']][2]} | {x['id']}: {_md_cell(x['title']['en'])} ({_md_cell(x['title']['ko'])}) | {_md_cell(x['citation'])} | {_OBLIGATION[x['obligation']][0]} | {_STATUS[x['status']][0]} | {x['evidence_status']} | {_md_cell(due)} |")
    w("")
    w("### Details")
    w("")
    for x in applicable:
        w(f"#### {x['id']} — {x['citation']}")
        w("")
        w(x["statement"]["en"])
        w("")
        w(x["statement"]["ko"])
        w("")
        w(f"- Why it applies: {', '.join(x['why']) or 'always'}")
        w(f"- Effective: {x['effective'] or 'in force (date not stated in the reference)'}")
        for e in x["evidence"]:
            refs = "; ".join(e["refs"]) or e.get("detail", "")
            w(f"- Evidence `{e['kind']}`: **{e['status']}** {('— ' + refs) if refs else ''}")
        for u in x["unsettled"]:
            w(f"- Unsettled: {u['en']}")
        w(f"- Sources: {', '.join(s['tag'] + ' ' + s['url'] for s in x['sources'])}")
        w("")
    if a.transfer_findings:
        w("## Cross-border transfers (PIPA Art. 28-8)")
        w("")
        w("| # | destination | basis | basis valid | blocked items | problems |")
        w("|---|---|---|---|---|---|")
        for t in a.transfer_findings:
            w(f"| {t['index']} | {t['destination']} {_md_cell(t['recipient'])} | {t['basis']} | {_yn(t['basis_valid'])} | {', '.join(t['blocked_items']) or '—'} | {_md_cell('; '.join(t['problems'])) or '—'} |")
        w("")
    w("## Fines exposure")
    w("")
    if not a.fines_exposure:
        w("No capped fine or surcharge attaches to a duty found missing.")
    for f in a.fines_exposure:
        if f["kind"] == "fine":
            when = ("not enforced during the grace period" if not f["enforceable_now"] else "enforceable")
            w(f"- **{f['duty']}** ({f['citation']}): {f['what_en']} — {_krw(f['amount_krw'])} by the decree schedule, cap {_krw(f['max_krw'])}; {when}. {f['note_en']} [{', '.join(f['sources'])}]")
        else:
            w(f"- **{f['duty']}** ({f['citation']}): {f['what_en']} — surcharge cap {_krw(f['max_krw'])} ({f['note_en']}) [{', '.join(f['sources'])}]")
    w("")
    w("## Evidence")
    w("")
    if not a.evidence.manifests and not a.evidence.checkpoints:
        w("No jikimi manifests or log checkpoints were listed.")
    for m in a.evidence.manifests:
        w(f"- Manifest `{m.path}` — {'OK' if m.ok else 'FAILED'}; sha256 `{m.sha256}`; records {m.records}; "
          f"files verified {sum(f.status == 'verified' for f in m.files)}/{len(m.files)}; "
          f"k achieved {m.k_achieved if m.k_achieved is not None else 'not reported'}; "
          f"tier-1 in clear: {'none' if not m.tier1_in_clear else '; '.join(m.tier1_in_clear)}"
          + (f"; problems: {'; '.join(m.problems)}" if m.problems else ""))
    for c in a.evidence.checkpoints:
        w(f"- Log {c.citation()} (`{c.path}`; signatures not verified here)")
    for doc in sorted(a.evidence.documents.values(), key=lambda x: x.name):
        w(f"- Document `{doc.name}`: {doc.ref} — {doc.status}")
    w("")
    w("## Compute estimate")
    w("")
    for r in a.compute.runs:
        w(f"- {r.stage}: {_flops(r.flops)} — {r.formula}" + (f" (source: {r.source})" if r.source else ""))
    if not a.compute.runs:
        w("- No training compute described.")
    w("")
    na = [x for x in a.duties if not x["applies"]]
    if na:
        w("## Rules checked that do not apply")
        w("")
        for x in na:
            w(f"- {x['id']} ({x['citation']}): {', '.join(x['why'])}")
        w("")
    w("## Sources")
    w("")
    tags: dict[str, dict[str, str]] = {}
    for x in applicable:
        for s in x["sources"]:
            tags[s["tag"]] = s
    for tag in sorted(tags):
        src = tags[tag]
        w(f"- [{tag}] {src['title']}: {src['url']}" + (f" ({src['path']})" if src.get("path") else ""))
    w("")
    return "\n".join(out)


# -- HTML -------------------------------------------------------------------------------------


def _bi(en: str, ko: str) -> str:
    return f'<span class="en">{escape(en)}</span><span class="ko" lang="ko">{escape(ko)}</span>'


def compute_chart(a: Assessment) -> str:
    """Inline SVG: each stage and the total on a log scale against the 10^26 line."""
    thr = a.compute.threshold
    vals = [(r.stage, r.flops) for r in a.compute.runs]
    if a.compute.flops is not None and len(vals) != 1:
        vals.append(("total", a.compute.flops))
    elif a.compute.flops is not None:
        vals = [("total", a.compute.flops)]
    lo_exp = min([18] + [math.floor(math.log10(v)) - 1 for _, v in vals if v > 0])
    hi_exp = max([28] + [math.ceil(math.log10(v)) + 1 for _, v in vals if v > 0])
    width, left, right, bar_h = 640, 110, 20, 22
    height = 50 + bar_h * max(1, len(vals)) * 1.5 + 20
    plot_w = width - left - right

    def x(v: float) -> float:
        e = math.log10(v) if v > 0 else lo_exp
        return left + (e - lo_exp) / (hi_exp - lo_exp) * plot_w

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
             f'viewBox="0 0 {width} {height:.0f}" role="img" aria-label="training compute against 10^26 FLOPs">')]
    for e in range(lo_exp, hi_exp + 1, 2):
        xe = x(10.0 ** e)
        parts.append(f'<line x1="{xe:.1f}" y1="20" x2="{xe:.1f}" y2="{height - 25:.0f}" stroke="#ddd"/>'
                     f'<text x="{xe:.1f}" y="{height - 8:.0f}" font-size="11" text-anchor="middle">10^{e}</text>')
    y = 35.0
    for name, v in vals:
        color = "#c0392b" if v >= thr else "#2e86c1"
        parts.append(f'<text x="{left - 6}" y="{y + bar_h * 0.7:.1f}" font-size="12" text-anchor="end">{escape(name)}</text>'
                     f'<rect x="{left}" y="{y:.1f}" width="{max(1.0, x(v) - left):.1f}" height="{bar_h}" fill="{color}"/>'
                     f'<text x="{min(x(v) + 4, width - right - 80):.1f}" y="{y + bar_h * 0.7:.1f}" font-size="11">{escape(_flops(v))}</text>')
        y += bar_h * 1.5
    if not vals:
        parts.append(f'<text x="{left}" y="{y + 14:.0f}" font-size="12">no compute described</text>')
    xt = x(thr)
    parts.append(f'<line x1="{xt:.1f}" y1="15" x2="{xt:.1f}" y2="{height - 25:.0f}" stroke="#000" stroke-width="2" stroke-dasharray="5,3"/>'
                 f'<text x="{xt + 4:.1f}" y="14" font-size="11">10^26 (Decree Art. 24)</text></svg>')
    return "".join(parts)


_CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans KR","Malgun Gothic",sans-serif;margin:0;color:#222}
main{max-width:1100px;margin:0 auto;padding:1rem 1.5rem}
#lang-en:checked~main .ko,#lang-ko:checked~main .en{display:none}
.langbar{position:sticky;top:0;background:#f4f6f8;padding:.4rem 1.5rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f6f8}.s-missing,.s-failed{background:#fdecea}.s-incomplete{background:#fff4e0}.s-evidenced,.s-deemed_met{background:#eaf7ea}
.s-upcoming{background:#eef3fb}.unsettled{border-left:4px solid #e67e22;background:#fff8ef;padding:.5rem 1rem}
.warn{border-left:4px solid #c0392b;background:#fdf0ef;padding:.5rem 1rem}code{font-size:.85em;word-break:break-all}
details{margin:.3rem 0}summary{cursor:pointer}small{color:#555}
"""


def render_html(a: Assessment, link_base: Path | None = None) -> str:
    """A single HTML file with a KO/EN toggle, duty checklist, evidence links and compute chart.

    ``link_base`` is the directory the file will be written to, so links to evidence files work
    from there; without it links are relative to the description file.
    """
    desc = a.description
    _link = _linker(desc.base_dir, link_base)
    h: list[str] = []
    w = h.append
    w('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
      f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(desc.title)} — jikimi assess</title>'
      f"<style>{_CSS}</style></head><body>")
    w('<input type="radio" name="lang" id="lang-en" checked hidden><input type="radio" name="lang" id="lang-ko" hidden>'
      '<main><div class="langbar"><label for="lang-en">English</label> | <label for="lang-ko">한국어</label></div>')
    w(f"<h1>{_bi('AI Basic Act and PIPA assessment', '인공지능기본법·개인정보 보호법 평가')}: {escape(desc.title)}</h1>")
    w(f"<p>{_bi('Operator', '사업자')}: <b>{escape(desc.operator.name)}</b> "
      f"({_bi('developer', '개발사업자') if desc.operator.role == 'developer' else _bi('user-operator', '이용사업자')}) · "
      f"{_bi('assessed as of', '평가 기준일')} <b>{a.today.isoformat()}</b> · "
      f"{_bi('knowledge base as of', '지식베이스 기준일')} {a.kb.as_of.isoformat()} · {_bi('Not legal advice.', '법률 자문이 아닙니다.')}</p>")
    hi = a.high_impact
    yes, no = _bi("yes", "예"), _bi("no", "아니오")
    w(f"<h2>{_bi('Summary', '요약')}</h2><table>")
    areas_en = ", ".join(f"({x['letter']}) {x['en']}" for x in hi.areas) or "none"
    areas_ko = ", ".join(f"({x['letter']}) {x['ko']}" for x in hi.areas) or "없음"
    w(f"<tr><th>{_bi('High-impact AI (Art. 2(4))', '고영향 인공지능(제2조제4호)')}</th><td><b>{yes if hi.high_impact else no}</b> — {_bi(areas_en, areas_ko)}<br><small>{escape('; '.join(hi.reasons))}</small></td></tr>")
    w(f"<tr><th>{_bi('Generative AI', '생성형 인공지능')}</th><td><b>{yes if desc.system.generative else no}</b></td></tr>")
    w(f"<tr><th>{_bi('Training compute', '학습 연산량')}</th><td><b>{escape(_flops(a.compute.flops))}</b> ({escape(a.compute.method or 'none')})</td></tr>")
    w(f"<tr><th>{_bi('Safety duty (Art. 32)', '안전성 확보 의무(제32조)')}</th><td><b>{yes if a.safety['applies'] else no}</b></td></tr>")
    trig = "; ".join(t["test"] for t in a.agent.triggers) or "—"
    w(f"<tr><th>{_bi('Domestic agent (Art. 36)', '국내대리인(제36조)')}</th><td><b>{yes if a.agent.required else no}</b> <small>{escape(trig)}</small></td></tr></table>")
    if a.unsettled:
        w(f'<div class="unsettled"><h2>{_bi("Where the law is unsettled", "법이 확정되지 않은 부분")}</h2><ul>')
        for u in a.unsettled:
            w(f"<li><b>{escape(u['rule'])}</b>: {_bi(u['en'], u['ko'])} <small>[{escape(', '.join(u['sources']))}]</small></li>")
        w("</ul></div>")
    if a.warnings:
        w(f'<div class="warn"><h2>{_bi("Warnings", "경고")}</h2><ul>')
        for msg in a.warnings:
            w(f"<li>{escape(msg)}</li>")
        w("</ul></div>")
    for n in a.notes:
        w(f"<p><i>{_bi(n['en'], n['ko'])}</i> <small>[{escape(', '.join(n['sources']))}]</small></p>")
    w(f"<h2>{_bi('Compute estimate against the safety threshold', '안전성 기준 대비 연산량 추정')}</h2>")
    w(compute_chart(a))
    if a.compute.runs:
        w("<ul>" + "".join(f"<li>{escape(r.stage)}: {escape(_flops(r.flops))} — {escape(r.formula)}"
                           + (f" <small>({escape(r.source)})</small>" if r.source else "") + "</li>"
                           for r in a.compute.runs) + "</ul>")
    w(f"<h2>{_bi('Duty checklist', '의무 점검표')}</h2><table><tr><th></th><th>{_bi('duty', '의무')}</th>"
      f"<th>{_bi('citation', '근거 조문')}</th><th>{_bi('status', '상태')}</th><th>{_bi('evidence', '증빙')}</th><th>{_bi('due / grace', '시한·유예')}</th></tr>")
    for x in (d for d in a.duties if d["applies"]):
        en, ko, icon = _STATUS[x["status"]]
        ev = "<br>".join(
            f"{escape(e['kind'])}: <b>{escape(e['status'])}</b>" + "".join(
                f"<br><small>{_link(r)}</small>" for r in e["refs"]) for e in x["evidence"]) or "—"
        due = escape(x["due"] or "")
        if x["grace_period"]:
            g = x["grace_period"]
            due += "<br>" + _bi(f"grace until at least {g['earliest_end']} ({g['status']})",
                                f"최소 {g['earliest_end']}까지 유예({'미확정' if g['status'] == 'OPEN' else g['status']})")
        srcs = ", ".join(f'<a href="{escape(s["url"])}">{escape(s["tag"])}</a>' for s in x["sources"])
        unsettled = "".join(f'<div class="unsettled">{_bi(u["en"], u["ko"])}</div>' for u in x["unsettled"])
        w(f'<tr class="s-{x["status"]}"><td>{icon}</td><td><details><summary><b>{escape(x["id"])}</b> '
          f'{_bi(x["title"]["en"], x["title"]["ko"])}</summary><p>{_bi(x["statement"]["en"], x["statement"]["ko"])}</p>'
          f'<p><small>{_bi("why", "적용 근거")}: {escape(", ".join(x["why"]))}</small></p>{unsettled}'
          f'<p><small>{_bi("sources", "출처")}: {srcs}</small></p></details></td>'
          f'<td>{escape(x["citation"])}<br><small>{_bi(*_OBLIGATION[x["obligation"]])}</small></td>'
          f'<td>{_bi(en, ko)}</td><td>{ev}</td><td>{due}</td></tr>')
    w("</table>")
    if a.transfer_findings:
        w(f"<h2>{_bi('Cross-border transfers (PIPA Art. 28-8)', '국외 이전(개인정보 보호법 제28조의8)')}</h2><table>"
          f"<tr><th>#</th><th>{_bi('destination', '이전 국가')}</th><th>{_bi('basis', '근거')}</th><th>{_bi('valid', '유효')}</th>"
          f"<th>{_bi('blocked items', '이전 불가 항목')}</th><th>{_bi('problems', '문제')}</th></tr>")
        for t in a.transfer_findings:
            w(f'<tr class="s-{"evidenced" if t["ok"] else "missing"}"><td>{t["index"]}</td><td>{escape(t["destination"])} {escape(t["recipient"])}</td>'
              f'<td>{escape(t["basis"])}</td><td>{yes if t["basis_valid"] else no}</td><td>{escape(", ".join(t["blocked_items"]) or "—")}</td>'
              f'<td>{escape("; ".join(t["problems"]) or "—")}</td></tr>')
        w("</table>")
    w(f"<h2>{_bi('Fines exposure', '과태료·과징금 노출')}</h2>")
    if not a.fines_exposure:
        w(f"<p>{_bi('No capped fine or surcharge attaches to a duty found missing.', '누락된 의무에 부과될 과태료·과징금이 없습니다.')}</p>")
    else:
        w("<ul>")
        for f in a.fines_exposure:
            w(f"<li><b>{escape(f['duty'])}</b> ({escape(f['citation'])}): {_bi(f['what_en'], f['what_ko'])} — "
              f"{escape(_krw(f.get('amount_krw') if f['kind'] == 'fine' else f.get('max_krw')))}"
              f" ({_bi('cap', '상한')} {escape(_krw(f.get('max_krw')))}). {_bi(f.get('note_en', ''), f.get('note_ko', ''))}</li>")
        w("</ul>")
    w(f"<h2>{_bi('Evidence', '증빙')}</h2><ul>")
    for m in a.evidence.manifests:
        w(f"<li>{_bi('Manifest', '매니페스트')} {_link(m.path)} — <b>{'OK' if m.ok else 'FAILED'}</b>; sha256 <code>{escape(m.sha256 or '')}</code>; "
          f"{_bi('records', '레코드')} {escape(str(m.records))}; {_bi('files verified', '파일 검증')} {sum(f.status == 'verified' for f in m.files)}/{len(m.files)}; "
          f"k {escape(str(m.k_achieved) if m.k_achieved is not None else 'n/a')}; {_bi('tier-1 in clear', '1등급 평문')}: {escape('; '.join(m.tier1_in_clear) or 'none')}"
          + (f"; {escape('; '.join(m.problems))}" if m.problems else "") + "</li>")
    for c in a.evidence.checkpoints:
        w(f"<li>{_bi('Log checkpoint', '로그 체크포인트')} {_link(c.path)}: {escape(c.citation())} <small>({_bi('signatures not verified here', '서명은 여기서 검증하지 않음')})</small></li>")
    for doc in sorted(a.evidence.documents.values(), key=lambda x: x.name):
        w(f"<li>{escape(doc.name)}: {_link(doc.ref)} — {escape(doc.status)}</li>")
    w("</ul>")
    w(f"<p><small>{_bi('Every rule cites the AI Basic Act, its Enforcement Decree, PIPA or PIPC Notice 2026-9 as recorded in jikimi’s legal reference; source tags link to the stored copies.', '모든 규칙은 jikimi 법률 참조 자료에 기록된 인공지능기본법·시행령·개인정보 보호법·개인정보위 고시 제2026-9호를 인용하며 출처 태그는 보관 사본으로 연결됩니다.')}</small></p>")
    w("</main></body></html>")
    return "".join(h)


def _linker(root: Path, link_base: Path | None) -> Callable[[str], str]:
    """Links to evidence: URLs as they are; files relative to where the HTML is written."""

    def link(ref: str) -> str:
        target = ref.split(" (sha256", 1)[0]
        if target.startswith(("http://", "https://")):
            return f'<a href="{escape(target)}">{escape(ref)}</a>'
        if ":" in target or " " in target:
            return escape(ref)
        p = Path(target) if Path(target).is_absolute() else root / target
        if not p.exists():
            return escape(ref)
        href = os.path.relpath(p.resolve(), link_base.resolve()) if link_base else target
        return f'<a href="{escape(Path(href).as_posix())}">{escape(ref)}</a>'

    return link


def summary(a: Assessment) -> dict[str, Any]:
    """A short dict for logs and tests: the headline answers only."""
    d = a.to_dict()
    return {k: d[k] for k in ("high_impact", "high_impact_areas", "generative", "compute_flops",
                              "safety_duty", "domestic_agent_required")}
