"""The browser side of :class:`jmtools.widgets.CurveEditor`: inline ES module and CSS.

Plain JavaScript, no imports, no network, no build step. The view draws an SVG: stages on x,
the emotion scale (−2..+2) on y, the measured curve with its 95 % intervals (hollow points
where evidence is low, ``n`` under each point) and one draggable, focusable point per stage
for the assumed emotion. It is drawn at its output's width (300 to 680 px), so its text stays
12 px; a stage name takes up to three lines of the room one stage has, or, when one does not fit
so, every name is turned 45° (cut with "…" where it would leave the drawing); the whole name is
the label's tooltip; counts too wide for their room take two rows (D184). Dragging snaps to :data:`STEP`; ArrowUp/ArrowDown change the focused
point by one step, Delete/Backspace clears it. The Save button sends ``{"event": "save"}``.

Hooks for browser tests: ``.jm-curve-editor`` (root), ``circle.jm-assumed[data-stage]``
(``data-value`` is the value or empty; ``.jm-empty`` when none, ``.jm-locked`` when read-only),
``circle.jm-measured``, ``text.jm-stage[data-stage]``, ``button.jm-save[data-action=save]``, ``.jm-error`` and ``.jm-status``.
"""

from __future__ import annotations

from jmtools.charts.theme import EVIDENCE_COLORS, FONT, PALETTE
from jmtools.core.metrics import EMOTION_DOMAIN

__all__: list[str] = []

#: Drag and keyboard step of an assumed value (workshop scores are whole or half points).
STEP = 0.5

ESM = """
const NS = "http://www.w3.org/2000/svg";
const WIDEST = 680, NARROWEST = 300, H = 320, M = { l: 52, r: 20, t: 18, b: 64 };
const CHAR = 7, LINE = 14, LINES = 3;   // a stage name's character width (12 px), line height, most lines

// A stage name on at most LINES lines no wider than room (px, by wide(text)), broken between
// words or after a hyphen; null when a piece is wider than the room or the name needs more lines
// (the labels are then turned).
function stageLines(name, room, wide) {
  const pieces = name.split(/\s+/).filter(Boolean).flatMap((w) => w.match(/[^-]+-*|-+/g)
    .map((p, k) => ({ p, glue: k > 0 })));
  const lines = [];
  let line = "";
  for (const { p, glue } of pieces) {
    if (wide(p) > room) return null;
    const longer = line + (line && !glue ? " " : "") + p;
    if (line && wide(longer) > room) { lines.push(line); line = p; } else line = longer;
  }
  if (line) lines.push(line);
  return lines.length <= LINES ? lines : null;
}
const TURN = Math.SQRT1_2;    // a turned label runs up to the right at 45°: its width and depth per px
const LOW = __LOW__, HIGH = __HIGH__, STEP = __STEP__;

function el(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}
const clamp = (v) => Math.min(HIGH, Math.max(LOW, v));
const snap = (v) => clamp(Math.round(v / STEP) * STEP);
const fmt = (v) => (v === null || v === undefined) ? "none" : (v > 0 ? "+" : "") + v.toFixed(1);

function render({ model, el: host }) {
  let W = WIDEST;
  const root = document.createElement("div");
  root.className = "jm-curve-editor";
  const heading = document.createElement("div");
  heading.className = "jm-title";
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "jm-curve-svg", role: "group" });
  const bar = document.createElement("div");
  bar.className = "jm-bar";
  const save = document.createElement("button");
  save.className = "jm-save";
  save.type = "button";
  save.dataset.action = "save";
  save.textContent = "Save to journey file";
  const status = document.createElement("span");
  status.className = "jm-status";
  status.setAttribute("aria-live", "polite");
  const error = document.createElement("div");
  error.className = "jm-error";
  error.setAttribute("role", "alert");
  bar.append(save, status);
  root.append(heading, svg, bar, error);
  host.appendChild(root);

  let focused = null;
  const stages = () => model.get("stages") || [];
  const xOf = (i) => M.l + (i + 0.5) * (W - M.l - M.r) / Math.max(1, stages().length);
  const yOf = (v) => M.t + (HIGH - v) / (HIGH - LOW) * (H - M.t - M.b);
  const vOf = (y) => HIGH - (y - M.t) / (H - M.t - M.b) * (HIGH - LOW);

  function commit(stage, value) {
    const assumed = Object.assign({}, model.get("assumed") || {});
    assumed[stage] = value === null ? null : snap(value);
    model.set("assumed", assumed);
    model.save_changes();
  }

  function axes() {
    for (let v = LOW; v <= HIGH; v += 1) {
      el("line", { x1: M.l, x2: W - M.r, y1: yOf(v), y2: yOf(v),
                   class: v === 0 ? "jm-zero" : "jm-grid" }, svg);
      const t = el("text", { x: M.l - 8, y: yOf(v) + 4, class: "jm-tick", "text-anchor": "end" }, svg);
      t.textContent = (v > 0 ? "+" : "") + v;
    }
    const label = el("text", { x: 14, y: yOf(0), class: "jm-axis",
                               transform: `rotate(-90 14 ${yOf(0)})`, "text-anchor": "middle" }, svg);
    label.textContent = "Emotion (−2..+2)";
    const room = (W - M.l - M.r) / Math.max(1, stages().length) - 6;
    const probe = el("text", { class: "jm-stage" }, svg);   // widths as drawn (an estimate before layout)
    const wide = (text) => { probe.textContent = text; return probe.getComputedTextLength() || text.length * CHAR; };
    const wrapped = stages().map((s) => stageLines(s, room, wide));
    probe.remove();
    const turned = wrapped.some((lines) => lines === null);
    const top = H - M.b + (turned ? 30 : 38) + nRise();
    let depth = 0;
    stages().forEach((s, i) => {
      const x = xOf(i);
      const t = el("text", { x, y: top, class: "jm-stage" + (turned ? " jm-turned" : ""), "data-stage": s,
                             "text-anchor": turned ? "end" : "middle" }, svg);
      if (turned) {      // one line, as long as the room left of its point allows; cut with "…"
        const wide = () => (t.getComputedTextLength() || t.textContent.length * CHAR) * TURN;
        t.textContent = s.length > 24 ? s.slice(0, 23) + "…" : s;
        for (let k = Math.min(s.length, 23); k > 3 && wide() > x - 2; k--) t.textContent = s.slice(0, k - 1) + "…";
        t.setAttribute("transform", `rotate(-45 ${x} ${top})`);
        depth = Math.max(depth, wide());
      } else {
        wrapped[i].forEach((line, k) => { el("tspan", { x, dy: k ? LINE : 0 }, t).textContent = line; });
        depth = Math.max(depth, (wrapped[i].length - 1) * LINE);
      }
      el("title", {}, t).textContent = s;
    });
    svg.setAttribute("viewBox", `0 0 ${W} ${Math.max(H, top + depth + 8)}`);
  }

  // How far below the first row the counts reach: when "n=1,234" is wider than one stage's room
  // they take two rows, every other one lower.
  function nRise() {
    const room = (W - M.l - M.r) / Math.max(1, stages().length);
    const widest = Math.max(0, ...(model.get("measured") || []).map((r) => `n=${r.n}`.length));
    return widest * 6.5 > room - 4 ? 12 : 0;
  }

  function measured() {
    const rows = (model.get("measured") || []).filter((r) => r.valence !== null);
    const index = (s) => stages().indexOf(s);
    const pts = rows.filter((r) => index(r.stage) >= 0)
                    .map((r) => `${xOf(index(r.stage))},${yOf(r.valence)}`);
    if (pts.length > 1) el("polyline", { points: pts.join(" "), class: "jm-measured-line" }, svg);
    for (const r of rows) {
      const i = index(r.stage);
      if (i < 0) continue;
      if (r.ci_low !== null && r.ci_high !== null) {
        el("line", { x1: xOf(i), x2: xOf(i), y1: yOf(clamp(r.ci_low)), y2: yOf(clamp(r.ci_high)),
                     class: "jm-ci" }, svg);
      }
      const c = el("circle", { cx: xOf(i), cy: yOf(r.valence), r: 5, "data-stage": r.stage,
                               class: "jm-measured" + (r.low_evidence ? " jm-low" : "") }, svg);
      el("title", {}, c).textContent = `${r.stage}: measured ${fmt(r.valence)}` +
        (r.ci_low !== null ? ` (95% CI ${fmt(r.ci_low)} to ${fmt(r.ci_high)})` : "") +
        `, n=${r.n}` + (r.low_evidence ? " — few answers" : "");
      const n = el("text", { x: xOf(i), y: H - M.b + 18 + (i % 2) * nRise(), class: "jm-n",
                             "text-anchor": "middle" }, svg);
      n.textContent = `n=${r.n}`;
    }
  }

  function assumedPoints() {
    const assumed = model.get("assumed") || {};
    const locked = new Set(model.get("locked") || []);
    const pts = [];
    stages().forEach((s, i) => {
      const v = assumed[s];
      if (v !== null && v !== undefined) pts.push(`${xOf(i)},${yOf(v)}`);
    });
    if (pts.length > 1) el("polyline", { points: pts.join(" "), class: "jm-assumed-line" }, svg);
    stages().forEach((s, i) => {
      const v = assumed[s] === undefined ? null : assumed[s];
      const isLocked = locked.has(s);
      const c = el("circle", {
        cx: xOf(i), cy: yOf(v === null ? 0 : v), r: 8, tabindex: 0, role: "slider",
        class: "jm-assumed" + (v === null ? " jm-empty" : "") + (isLocked ? " jm-locked" : ""),
        "data-stage": s, "data-value": v === null ? "" : v,
        "aria-valuemin": LOW, "aria-valuemax": HIGH, "aria-valuenow": v === null ? 0 : v,
        "aria-valuetext": fmt(v), "aria-disabled": isLocked ? "true" : "false",
        "aria-label": `Assumed emotion at ${s}: ${fmt(v)}` +
          (isLocked ? " (one value per persona: choose a persona to edit)" :
           v === null ? " (Arrow Up or Down sets it)" : ""),
      }, svg);
      el("title", {}, c).textContent = c.getAttribute("aria-label");
      if (!isLocked) wire(c, s);
    });
  }

  function wire(c, stage) {
    let dragging = false;
    c.addEventListener("focus", () => { focused = stage; });
    c.addEventListener("blur", () => { if (focused === stage) focused = null; });
    c.addEventListener("pointerdown", (e) => {
      dragging = true;
      c.setPointerCapture(e.pointerId);
      c.classList.add("jm-dragging");
      c.focus();
      e.preventDefault();
    });
    c.addEventListener("pointermove", (e) => {
      if (!dragging) return;
      const p = svg.createSVGPoint();
      p.x = e.clientX; p.y = e.clientY;
      const y = p.matrixTransform(svg.getScreenCTM().inverse()).y;
      const v = snap(vOf(y));
      c.setAttribute("cy", yOf(v));
      c.setAttribute("data-value", v);
    });
    const end = (e) => {
      if (!dragging) return;
      dragging = false;
      c.releasePointerCapture(e.pointerId);
      commit(stage, Number(c.getAttribute("data-value") || 0));
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    c.addEventListener("keydown", (e) => {
      const raw = c.getAttribute("data-value");
      const v = raw === "" ? null : Number(raw);
      if (e.key === "ArrowUp" || e.key === "ArrowDown") {
        const d = e.key === "ArrowUp" ? STEP : -STEP;
        commit(stage, v === null ? 0 : v + d);
      } else if (e.key === "Delete" || e.key === "Backspace") {
        commit(stage, null);
      } else {
        return;
      }
      e.preventDefault();
    });
  }

  function draw() {
    const keep = focused;
    const room = root.clientWidth;    // drawn at the output's width, so its text stays 12 px
    W = room > 0 ? Math.max(NARROWEST, Math.min(WIDEST, room)) : WIDEST;
    svg.replaceChildren();
    const persona = model.get("persona");
    heading.textContent = `Assumed emotion per stage — ${persona === "all" ? "all customers" : persona}`;
    svg.setAttribute("aria-label", heading.textContent);
    axes();
    measured();
    assumedPoints();
    if (keep !== null) {
      const again = [...svg.querySelectorAll("circle.jm-assumed")]
        .find((n) => n.getAttribute("data-stage") === keep);
      if (again) again.focus();
    }
  }

  function messages() {
    const text = model.get("error") || "";
    error.textContent = text;
    error.hidden = !text;
    status.textContent = model.get("status") || "";
  }

  save.addEventListener("click", () => model.send({ event: "save" }));
  const onChange = () => draw();
  for (const name of ["stages", "measured", "assumed", "persona", "locked"]) {
    model.on(`change:${name}`, onChange);
  }
  model.on("change:error", messages);
  model.on("change:status", messages);
  draw();
  messages();
  let drawnAt = root.clientWidth;
  const resized = new ResizeObserver(() => {
    if (root.clientWidth !== drawnAt) { drawnAt = root.clientWidth; draw(); }
  });
  resized.observe(root);
  return () => {
    resized.disconnect();
    for (const name of ["stages", "measured", "assumed", "persona", "locked"]) {
      model.off(`change:${name}`, onChange);
    }
    model.off("change:error", messages);
    model.off("change:status", messages);
  };
}

export default { render };
""".replace("__LOW__", repr(EMOTION_DOMAIN[0])).replace("__HIGH__", repr(EMOTION_DOMAIN[1])) \
    .replace("__STEP__", repr(STEP))

CSS = """
.jm-curve-editor { font-family: %(font)s; max-width: 720px; }
.jm-curve-editor .jm-title { font-weight: 600; margin: 4px 0; }
.jm-curve-editor svg { width: 100%%; height: auto; touch-action: none; }
.jm-curve-editor .jm-grid { stroke: #e3e3e3; }
.jm-curve-editor .jm-zero { stroke: #9a9a9a; }
.jm-curve-editor .jm-tick, .jm-curve-editor .jm-n { font-size: 11px; fill: #555; }
.jm-curve-editor .jm-axis, .jm-curve-editor .jm-stage { font-size: 12px; fill: #222; }
.jm-curve-editor .jm-measured-line { fill: none; stroke: %(measured)s; stroke-width: 2; }
.jm-curve-editor .jm-ci { stroke: %(measured)s; stroke-width: 2; opacity: 0.45; }
.jm-curve-editor .jm-measured { fill: %(measured)s; stroke: %(measured)s; stroke-width: 2; }
.jm-curve-editor .jm-measured.jm-low { fill: #fff; }
.jm-curve-editor .jm-assumed-line { fill: none; stroke: %(assumed)s; stroke-width: 2;
  stroke-dasharray: 6 4; }
.jm-curve-editor .jm-assumed { fill: %(assumed)s; stroke: #fff; stroke-width: 2; cursor: ns-resize; }
.jm-curve-editor .jm-assumed.jm-empty { fill: #fff; stroke: %(assumed)s; stroke-dasharray: 3 2; }
.jm-curve-editor .jm-assumed.jm-locked { fill: %(muted)s; cursor: not-allowed; }
.jm-curve-editor .jm-assumed:focus { outline: none; stroke: #111; stroke-width: 3; }
.jm-curve-editor .jm-assumed:focus-visible { outline: 2px solid #111; outline-offset: 2px; }
.jm-curve-editor .jm-bar { display: flex; gap: 12px; align-items: center; margin-top: 4px; }
.jm-curve-editor .jm-save:focus-visible { outline: 2px solid #111; outline-offset: 2px; }
.jm-curve-editor .jm-status { color: #555; }
.jm-curve-editor .jm-error { color: #b00020; white-space: pre-wrap; font-family: monospace;
  font-size: 90%%; margin-top: 4px; }
""" % {"font": FONT, "measured": PALETTE[0], "assumed": PALETTE[5],
       "muted": EVIDENCE_COLORS["assumed"]}
