"""Pixel layout of the journey-map canvas: where every lane, column, item and curve goes.

:class:`MapGeometry` turns a cells frame (:func:`jmtools.analyses.mapcells.map_cells`) into
lane tops and heights, column lefts and wrapped text, and builds one Altair layer per
element (backgrounds, lane titles, stage headers, emotion guides, service-blueprint lines,
items with their evidence badges, emotion curves, footer).
:func:`jmtools.charts.journeymap.map_chart` stacks the layers.

Every encoding is an Altair channel object (``alt.X2("x2:Q")``, ``alt.StrokeValue(…)``), never a
shorthand string or a bare dict: Altair turns those into channel objects by searching its whole
schema, once per channel, which was a third of the time to draw a map; the spec is the same.
"""

from __future__ import annotations

import math
import textwrap

from jmtools.analyses.emotions import from_behaviour
from jmtools.analyses.mapcells import MAP_LANES, _present, _signed
from jmtools.charts._pixels import px
from jmtools.charts.theme import (ALL_CUSTOMERS_COLOR, EVIDENCE_COLORS, EVIDENCE_FILLS,
                                  EVIDENCE_SHAPES, MAP_COLORS, MAP_FONT, PERSONA_PALETTE)
from jmtools.core.errors import ParameterError
from jmtools.core.metrics import EMOTION_DOMAIN, EVIDENCE_LABELS

__all__ = ["MapGeometry", "BLUEPRINT_LINES"]

_ALL_LABEL = "All customers"  # the curve of every customer, as in jmtools.charts.emotions


def _persona_colours(names: list[str], order: list[str]) -> list[str]:
    """Colour of each curve: All customers dark grey; a persona keeps the theme colour of its
    place in the journey (the same on every map), whichever personas are shown."""
    palette = PERSONA_PALETTE
    known = order + [n for n in names if n not in order and n != _ALL_LABEL]
    return [ALL_CUSTOMERS_COLOR if n == _ALL_LABEL else palette[known.index(n) % len(palette)]
            for n in names]


#: Service-blueprint lines drawn where two lanes meet, by (upper lane, lower lane).
BLUEPRINT_LINES = {("frontstage", "backstage"): "line of visibility",
                   ("backstage", "support"): "line of internal interaction"}


#: Room the emotion lane's tick labels ("+2", "−1") take at the right of the lane-title column.
_TICK_LABEL_PX = 30


class MapGeometry:
    """Pixel layout of a cells frame: lane tops and heights, column lefts, wrapped text."""

    def __init__(self, cells, column_width, label_width, font_size, emotion_height):
        if column_width < 80 or label_width < 60 or not 6 <= font_size <= 24 or \
                emotion_height < 60:
            raise ParameterError("column_width/label_width/font_size/emotion_height",
                                 (column_width, label_width, font_size, emotion_height),
                                 expected="column_width >= 80, label_width >= 60, "
                                          "6 <= font_size <= 24, emotion_height >= 60")
        self.cells = cells
        self.stages = list(cells["stage"].cat.categories)
        self.lanes = list(cells["lane"].cat.categories)
        self.cw, self.lw, self.fs = column_width, label_width, font_size
        self.lh = round(font_size * 1.35)
        self.pad = 8
        self.badge = 12
        self.emotion_height = emotion_height
        fitted = [_fit_words(s, column_width - 36, font_size + 2) for s in self.stages]
        self.header_lines = [lines for lines, _ in fitted]
        self.header_sizes = [size for _, size in fitted]
        self.header_h = max(len(x) for x in self.header_lines) * (self.lh + 3) + 2 * self.pad
        self._place()

    # layout
    def _place(self):
        self.rows = []  # per item: x, y, wrapped label
        self.lane_top, self.lane_h = {}, {}
        y = self.header_h
        by_cell: dict = {}  # (lane, stage) → records, in frame order (one pass over the frame)
        for rec in self.cells.to_dict("records"):
            by_cell.setdefault((str(rec["lane"]), rec["stage"]), []).append(rec)
        for k, lane in enumerate(self.lanes):
            self.lane_top[lane] = y
            if lane == "emotion":
                self.lane_h[lane] = self.emotion_height
            else:
                self.lane_h[lane] = self._place_texts(lane, by_cell, y)
            if tuple(self.lanes[k:k + 2]) in BLUEPRINT_LINES:
                self.lane_h[lane] += self.fs + 2  # room for the line's label
            y += self.lane_h[lane]
        self.grid_bottom = y
        self.unplaced = self.cells[self.cells["stage"].isna()]
        self.footer_lines = self._footer_lines()
        self.height = y + (len(self.footer_lines) * self.lh + self.pad if self.footer_lines
                           else 0)
        self.width = self.lw + self.cw * len(self.stages)

    def _place_texts(self, lane, by_cell, top) -> int:
        tallest = self.lh
        lane_lines = textwrap.wrap(MAP_LANES[lane], max(6, int((self.lw - 2 * self.pad) /
                                                              (self.fs * 0.62))))
        tallest = max(tallest, len(lane_lines) * self.lh)
        for i, stage in enumerate(self.stages):
            y = top + self.pad
            x = self.lw + i * self.cw + self.pad
            for rec in by_cell.get((lane, stage), []):
                # between words only; a long word shrinks the item or is cut with "…" (its tooltip is whole)
                lines, size = _fit_words(rec["label"], self.cw - 2 * self.pad - self.badge, self.fs)
                has_badge = isinstance(rec["evidence"], str) and rec["evidence"] in EVIDENCE_COLORS
                self.rows.append({**_plain_record(rec), "x": x + (self.badge if has_badge else 0),
                                  "y": y, "bx": x + 4, "by": y + self.lh / 2 - 1,
                                  "wrapped": "\n".join(lines), "size": size, "badge": has_badge,
                                  "h": len(lines) * self.lh})
                y += len(lines) * self.lh + 5
            tallest = max(tallest, y - top - self.pad - 5)
        return tallest + 2 * self.pad

    def _footer_lines(self) -> list[str]:
        if not len(self.unplaced):
            return []
        items = "; ".join(f"{MAP_LANES[str(r['lane'])]}: {r['label']}"
                          for r in self.unplaced.to_dict("records"))
        width = max(40, int(self.width_estimate() / (self.fs * 0.6)))
        return textwrap.wrap("Not tied to a stage — " + items, width)

    def width_estimate(self) -> int:
        return self.lw + self.cw * len(self.stages)

    # layers
    def backgrounds(self):
        import altair as alt
        import pandas as pd

        rects = []
        for k, lane in enumerate(self.lanes):
            top, h = self.lane_top[lane], self.lane_h[lane]
            rects.append({"x": 0, "x2": self.lw, "y": top, "y2": top + h,
                          "fill": MAP_COLORS["lane_title"]})
            for i, _ in enumerate(self.stages):
                rects.append({"x": self.lw + i * self.cw, "x2": self.lw + (i + 1) * self.cw,
                              "y": top, "y2": top + h,
                              "fill": MAP_COLORS["band" if k % 2 == 0 else "band_alt"]})
        for i, _ in enumerate(self.stages):
            rects.append({"x": self.lw + i * self.cw, "x2": self.lw + (i + 1) * self.cw,
                          "y": 0, "y2": self.header_h, "fill": MAP_COLORS["ink"]})
        return alt.Chart(pd.DataFrame(rects)).mark_rect(stroke=MAP_COLORS["grid"],
                                                        strokeWidth=1).encode(
            x=px("x"), x2=alt.X2("x2:Q"), y=px("y"), y2=alt.Y2("y2:Q"), fill=alt.Fill("fill:N", scale=None))

    def lane_titles(self):
        import altair as alt
        import pandas as pd

        def width(lane) -> int:   # the emotion lane's title keeps clear of its "+2" tick label
            room = self.lw - 2 * self.pad - (_TICK_LABEL_PX if lane == "emotion" else 0)
            return max(6, int(room / (self.fs * 0.62)))

        rows = [{"x": self.pad, "y": self.lane_top[lane] + self.pad,
                 "text": "\n".join(textwrap.wrap(MAP_LANES[lane], width(lane)))} for lane in self.lanes]
        return alt.Chart(pd.DataFrame(rows)).mark_text(
            align="left", baseline="top", lineBreak="\n", fontWeight="bold", font=MAP_FONT,
            fontSize=self.fs, color=MAP_COLORS["ink"], lineHeight=self.lh).encode(
            x=px("x"), y=px("y"), text=alt.Text("text:N"))

    def stage_headers(self):
        import altair as alt
        import pandas as pd

        rows = [{"x": self.lw + i * self.cw + self.pad, "y": self.pad, "text": f"{i + 1}",
                 "name": "\n".join(self.header_lines[i]), "size": self.header_sizes[i], "stage": stage}
                for i, stage in enumerate(self.stages)]
        frame = pd.DataFrame(rows)
        base = alt.Chart(frame)
        number = base.mark_text(align="left", baseline="top", font=MAP_FONT, fontSize=self.fs + 2,
                                color=MAP_COLORS["stage_number"], fontWeight="bold").encode(
            x=px("x"), y=px("y"), text=alt.Text("text:N"))
        name = base.mark_text(align="left", baseline="top", font=MAP_FONT, fontSize=self.fs + 2,
                              color=MAP_COLORS["stage_name"], fontWeight="bold", lineBreak="\n",
                              dx=22, lineHeight=self.lh + 3).encode(
            x=px("x"), y=px("y"), text=alt.Text("name:N"), size=alt.Size("size:Q", scale=None, legend=None),
            tooltip=[alt.Tooltip("stage:N")])      # the full name, where the header had to shorten it
        return alt.layer(number, name)

    def _emotion_y(self, value: float) -> float:
        low, high = EMOTION_DOMAIN
        top = self.lane_top["emotion"] + 14
        span = self.lane_h["emotion"] - 28
        return top + (high - value) / (high - low) * span

    def blueprint_lines(self):
        """Service-blueprint lines where their lanes meet: visibility (frontstage | backstage)
        and internal interaction (backstage | support)."""
        import altair as alt
        import pandas as pd

        names = BLUEPRINT_LINES
        rows = [{"x": self.lw, "x2": self.width, "y": self.lane_top[b], "text": names[(a, b)],
                 "tx": self.width - 4}
                for a, b in zip(self.lanes, self.lanes[1:]) if (a, b) in names]
        if not rows:
            return []
        frame = pd.DataFrame(rows)
        line = alt.Chart(frame).mark_rule(stroke=MAP_COLORS["ink"], strokeWidth=1.5,
                                          strokeDash=[6, 3]).encode(x=px("x"), x2=alt.X2("x2:Q"),
                                                                    y=px("y"))
        label = alt.Chart(frame).mark_text(align="right", baseline="bottom", dy=-2, font=MAP_FONT,
                                           fontSize=self.fs, fontStyle="italic",
                                           color=MAP_COLORS["ink"]).encode(
            x=px("tx"), y=px("y"), text=alt.Text("text:N"))
        return [line, label]

    def guides(self):
        import altair as alt
        import pandas as pd

        if "emotion" not in self.lanes:
            return []
        low, high = EMOTION_DOMAIN
        ticks = [v for v in range(int(low), int(high) + 1)]
        rules = pd.DataFrame([{"x": self.lw, "x2": self.width, "y": self._emotion_y(v),
                               "zero": v == 0} for v in ticks])
        labels = pd.DataFrame([{"x": self.lw - 6, "y": self._emotion_y(v),
                                "text": _signed(v) if v else "0"} for v in ticks])
        rule = alt.Chart(rules).mark_rule().encode(
            x=px("x"), x2=alt.X2("x2:Q"), y=px("y"),
            stroke=alt.StrokeValue(**alt.condition("datum.zero", alt.value(MAP_COLORS["frame"]),
                                                   alt.value(MAP_COLORS["guide"]))),
            strokeDash=alt.StrokeDashValue(**alt.condition("datum.zero", alt.value([1, 0]),
                                                           alt.value([2, 3]))))
        text = alt.Chart(labels).mark_text(align="right", baseline="middle", font=MAP_FONT,
                                           fontSize=self.fs,
                                           color=MAP_COLORS["guide_label"]).encode(
            x=px("x"), y=px("y"), text=alt.Text("text:N"))
        return [rule, text]

    def items(self):
        import altair as alt
        import pandas as pd

        if not self.rows:
            return []
        frame = pd.DataFrame(self.rows)
        tooltip = [alt.Tooltip("lane_title:N", title="lane"), alt.Tooltip("stage:N"),
                   alt.Tooltip("text:N", title="item"), alt.Tooltip("evidence:N"),
                   alt.Tooltip("source:N"), alt.Tooltip("persona:N")]
        text = alt.Chart(frame).mark_text(
            align="left", baseline="top", lineBreak="\n", font=MAP_FONT, fontSize=self.fs,
            color=MAP_COLORS["text"], lineHeight=self.lh).encode(
            x=px("x"), y=px("y"), text=alt.Text("wrapped:N"), size=alt.Size("size:Q", scale=None, legend=None),
            tooltip=tooltip)
        badges, started = frame[frame["badge"]], self._company_outlines(frame)
        if not len(badges):
            return [text, *started]
        domain = list(EVIDENCE_LABELS)
        legend = alt.Legend(title="evidence", orient="bottom", symbolSize=70)
        badge = alt.Chart(badges).mark_point(size=45, strokeWidth=1.5, opacity=1).encode(
            x=px("bx"), y=px("by"),
            shape=alt.Shape("evidence:N", scale=alt.Scale(
                domain=domain, range=[EVIDENCE_SHAPES[d] for d in domain]), legend=legend),
            fill=alt.Fill("evidence:N", scale=alt.Scale(
                domain=domain, range=[EVIDENCE_FILLS[d] for d in domain]), legend=legend),
            stroke=alt.Stroke("evidence:N", scale=alt.Scale(
                domain=domain, range=[EVIDENCE_COLORS[d] for d in domain]), legend=legend),
            tooltip=tooltip)
        return [badge, text, *started]

    def _company_outlines(self, frame):
        """A dashed outline round each touchpoint the company starts (``initiated_by: company``),
        with its legend entry; customers' touchpoints are drawn as before (D207)."""
        import altair as alt

        mine = frame[(frame["lane"] == "touchpoints") & frame["series"].fillna("").str.contains("company")]
        if not len(mine):
            return []
        box = mine.assign(xo=mine["bx"] - 4, xo2=mine["bx"] + self.cw - 2 * self.pad + 1, oy=mine["y"] - 2,
                          oy2=mine["y"] + mine["h"] + 1, kind="started by the company (initiated_by: company)")
        return [alt.Chart(box).mark_rect(fill="white", fillOpacity=0, strokeWidth=1.2, strokeDash=[4, 2]).encode(
            x=px("xo"), x2=alt.X2("xo2:Q"), y=px("oy"), y2=alt.Y2("oy2:Q"),
            stroke=alt.Stroke("kind:N", scale=alt.Scale(domain=[box["kind"].iloc[0]], range=[MAP_COLORS["ink"]]),
                              legend=alt.Legend(title="touchpoint", orient="bottom", symbolType="square",
                                                symbolDash=[4, 2], symbolSize=120)),
            tooltip=[alt.Tooltip("text:N", title="touchpoint"), alt.Tooltip("kind:N", title="")])]

    def curves(self):
        import altair as alt
        import pandas as pd

        if "emotion" not in self.lanes:
            return []
        emo = self.cells[(self.cells["lane"] == "emotion") & self.cells["stage"].notna()]
        if not len(emo):
            return [self._note("emotion", "no assumed or measured emotion for this map")]
        index = {s: i for i, s in enumerate(self.stages)}
        frame = pd.DataFrame([{
            **_plain_record(r),
            "x": self.lw + (index[r["stage"]] + 0.5) * self.cw,
            "py": self._emotion_y(r["value"]),
            "lo": self._emotion_y(r["ci_low"]) if _present(r["ci_low"]) else None,
            "hi": self._emotion_y(r["ci_high"]) if _present(r["ci_high"]) else None,
            "curve": r["persona"] if r["persona"] != "all" else _ALL_LABEL,
            "order": index[r["stage"]],
        } for r in emo.to_dict("records")])
        # a stage without a value (nothing measured or assumed there) breaks the line: one stroke
        # per run of neighbouring stages, never a line drawn through a stage of no evidence
        frame["stroke"] = _strokes(list(zip(frame["curve"], frame["series"])), list(frame["order"]))
        names = list(dict.fromkeys(frame["curve"]))
        # curves side by side by a few pixels, so equal values at a stage stay visible
        spread = {name: (k - (len(names) - 1) / 2) * min(6.0, self.cw / 40)
                  for k, name in enumerate(names)}
        frame["x"] = frame["x"] + frame["curve"].map(spread)
        frame["py"] = frame["py"] + frame["curve"].map(spread) / 3  # equal lines stay apart
        scale = alt.Scale(domain=names, range=_persona_colours(
            names, list(self.cells.attrs.get("personas", []))))
        color = alt.Color("curve:N", title="persona", scale=scale, legend=None)
        color_legend = alt.Color("curve:N", title="persona", scale=scale,
                                 legend=alt.Legend(orient="bottom"))
        drawn = [s for s in ("assumed", "measured") if s in set(frame["series"])]  # never a "measured"
        seen = frame[frame["series"] == "measured"].rename(columns={"source": "sources"})
        said = ({"labelExpr": "datum.label == 'measured' ? 'friction measured from behaviour' : datum.label"}
                if len(seen) and from_behaviour(seen).all() else {})          # not a feeling (D194)
        dash = alt.StrokeDash("series:N", title="emotion", scale=alt.Scale(  # entry for an assumed curve
            domain=drawn, range=[{"assumed": [5, 4], "measured": [1, 0]}[s] for s in drawn]),
            legend=alt.Legend(orient="bottom", symbolType="stroke", **said))
        tooltip = [alt.Tooltip("curve:N", title="persona"), alt.Tooltip("stage:N"),
                   alt.Tooltip("series:N", title="curve"),
                   alt.Tooltip("value:Q", format="+.2f", title="emotion"),
                   alt.Tooltip("n:Q"), alt.Tooltip("ci_low:Q", format="+.2f", title="95% low"),
                   alt.Tooltip("ci_high:Q", format="+.2f", title="95% high")]
        base = alt.Chart(frame)
        lines = base.mark_line(strokeWidth=2.2).encode(
            x=px("x"), y=px("py"), color=color_legend, strokeDash=dash,
            detail=[alt.Detail("curve:N"), alt.Detail("series:N"), alt.Detail("stroke:N")],
            order=alt.Order("order:Q"))
        points = base.mark_point(filled=True, size=50).encode(
            x=px("x"), y=px("py"), color=color, tooltip=tooltip,
            shape=alt.Shape("series:N", scale=alt.Scale(
                domain=drawn, range=[{"assumed": "square", "measured": "circle"}[s] for s in drawn]),
                legend=None))
        layers = [lines, points]
        ci = frame[frame["lo"].notna() & frame["hi"].notna()]
        if len(ci):
            layers.insert(0, alt.Chart(ci).mark_rule(strokeWidth=5, opacity=0.3).encode(
                x=px("x"), y=px("lo"), y2=alt.Y2("hi:Q"), color=color, tooltip=tooltip))
        layers.extend(self._curve_labels(frame))
        return layers

    def _curve_labels(self, frame):
        """Value labels (with n) of the measured curve, else the assumed one; at most two
        curves are labelled: per stage the higher point's label goes above, the lower's below,
        each on the side of its point where it crosses no line of the lane (:func:`_label_boxes`)."""
        import altair as alt

        series = "measured" if (frame["series"] == "measured").any() else "assumed"
        labels = frame[frame["series"] == series]
        if labels["curve"].nunique() > 2:
            return []
        labels = labels.assign(above=labels.index.isin(_highest_per_stage(labels)))
        top = self.lane_top["emotion"]
        labels = labels.join(_label_boxes(labels, _segments(frame), fs=self.fs, lh=self.fs + 3,
                                          bounds=(self.lw, self.width, top, top + self.lane_h["emotion"])))
        out = [alt.Chart(labels).mark_rect(fill=MAP_COLORS["halo"], opacity=0.85).encode(
            x=px("x1"), x2=alt.X2("x2:Q"), y=px("y1"), y2=alt.Y2("y2:Q"))]
        for align in ("left", "right"):
            part = labels[labels["align"] == align]
            if len(part):
                out.append(alt.Chart(part).mark_text(
                    align=align, baseline="middle", font=MAP_FONT, fontSize=self.fs,
                    color=MAP_COLORS["value_label"]).encode(x=px("tx"), y=px("ty"), text=alt.Text("label:N")))
        return out

    def _note(self, lane, text):
        import altair as alt
        import pandas as pd

        frame = pd.DataFrame([{"x": self.lw + self.pad, "y": self.lane_top[lane] + self.pad,
                               "text": text}])
        return alt.Chart(frame).mark_text(align="left", baseline="top", font=MAP_FONT,
                                          fontSize=self.fs, color=MAP_COLORS["note"],
                                          fontStyle="italic"
                                          ).encode(x=px("x"), y=px("y"), text=alt.Text("text:N"))

    def footer(self):
        import altair as alt
        import pandas as pd

        if not self.footer_lines:
            return []
        frame = pd.DataFrame([{"x": 0, "y": self.grid_bottom + self.pad,
                               "text": "\n".join(self.footer_lines)}])
        return [alt.Chart(frame).mark_text(
            align="left", baseline="top", lineBreak="\n", font=MAP_FONT, fontSize=self.fs,
            color=MAP_COLORS["footer"], lineHeight=self.lh).encode(x=px("x"), y=px("y"),
                                                                   text=alt.Text("text:N"))]


def _fit_words(name: str, room: float, size: int) -> tuple[list[str], int]:
    """A text's lines and font size in ``room`` px — a stage header's (D235) or a cell item's (D239):
    broken only between words; a word too long for the room at ``size`` shrinks the text (to two
    points smaller at most), and a word still too long is cut with "…" (the full text is the
    header's or the item's tooltip).

    Examples
    --------
    >>> _fit_words("Begutachtung", 200, 13)
    (['Begutachtung'], 13)
    >>> _fit_words("Begutachtung", 85, 13)
    (['Begutachtung'], 11)
    >>> _fit_words("Schadensregulierungsentscheidung", 60, 13)
    (['Schaden…'], 11)
    >>> _fit_words("Post-purchase and returns", 90, 13)
    (['Post-purchase', 'and returns'], 11)
    """
    def chars(points):
        return max(6, int(room / (points * 0.62)))

    words = str(name).split() or [""]
    longest = max(map(len, words))
    fitted = next((p for p in range(size, size - 3, -1) if longest <= chars(p)), size - 2)
    width = chars(fitted)
    words = [w if len(w) <= width else w[:width - 1] + "…" for w in words]
    return textwrap.wrap(" ".join(words), width, break_long_words=False, break_on_hyphens=False) or [""], fitted


def _highest_per_stage(labels) -> list:
    """Index of the highest point at each stage (the first one when points tie).

    Examples
    --------
    >>> import pandas as pd
    >>> _highest_per_stage(pd.DataFrame({"stage": ["A", "A", "B", "B"],
    ...                                  "value": [0.5, 1.0, -1.0, -1.0]}))
    [1, 2]
    """
    best: dict = {}
    for i, stage, value in zip(labels.index, labels["stage"], labels["value"]):
        if _present(stage) and value == value and (stage not in best or value > best[stage][1]):
            best[stage] = (i, value)
    return [i for i, _ in best.values()]


def _segments(frame) -> list[tuple]:
    """Every straight piece of the lane's curves as ``((x, y), (x, y))`` in pixels: neighbouring
    points of one stroke of one curve and series, in stage order."""
    strokes: dict = {}
    ordered = frame.sort_values("order", kind="stable")
    for key, x, y in zip(zip(ordered["curve"], ordered["series"], ordered["stroke"]), ordered["x"], ordered["py"]):
        strokes.setdefault(key, []).append((x, y))
    return [piece for pts in strokes.values() for piece in zip(pts, pts[1:])]


def _crosses(segment, box, margin: float = 1.5) -> bool:
    """True when the segment ``((xa, ya), (xb, yb))`` meets the box ``(x1, x2, y1, y2)`` grown by
    ``margin`` (half the line's width): the segment clipped to the box is not empty."""
    (xa, ya), (xb, yb) = segment
    x1, x2, y1, y2 = box[0] - margin, box[1] + margin, box[2] - margin, box[3] + margin
    t0, t1 = 0.0, 1.0
    for p, q in ((xa - xb, xa - x1), (xb - xa, x2 - xa), (ya - yb, ya - y1), (yb - ya, y2 - ya)):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            t0 = max(t0, q / p)
        else:
            t1 = min(t1, q / p)
    return t0 <= t1


def _label_boxes(labels, segments: list, *, fs: float, lh: float, bounds: tuple):
    """Where each value label of the emotion curve goes (D221): of eight places — right of its point,
    then left, on its side (``above``: the higher point at a stage), then the other side, then each a
    little further off — the first whose box crosses no line segment (``segments``, :func:`_segments`)
    and no label placed before it, and stays inside ``bounds`` ``(x1, x2, y1, y2)``; the least bad
    where none is clear (a crossing counts most). Before, a label always went right of its point, so
    one above a line rising to the right was drawn over it.

    Returns
    -------
    pandas.DataFrame
        On ``labels``'s index: the halo box ``x1``, ``x2``, ``y1``, ``y2``, the text's anchor ``tx``,
        ``ty`` (its middle) and ``align``.

    Examples
    --------
    >>> import pandas as pd
    >>> rising = [((100.0, 80.0), (200.0, 40.0))]      # a line up to the right of the point at (100, 80)
    >>> p = _label_boxes(pd.DataFrame({"x": [100.0], "py": [80.0], "label": ["+0.3 (n=402)"], "above": [True]}),
    ...                  rising, fs=11, lh=14, bounds=(0, 400, 0, 200))
    >>> p["align"].iloc[0], float(p["tx"].iloc[0])      # left of the point, right-aligned
    ('right', 93.0)
    >>> _crosses(rising[0], p[["x1", "x2", "y1", "y2"]].iloc[0].tolist())
    False
    """
    import pandas as pd

    rows, placed = [], []
    for x, y, text, above in zip(labels["x"], labels["py"], labels["label"], labels["above"]):
        w = len(str(text)) * fs * 0.6 + 4
        best = None
        for rank, (right, up, off) in enumerate([(r, u, o) for o in (0, lh / 2) for u in (above, not above)
                                                 for r in (True, False)]):
            x1 = x + 5 if right else x - 5 - w
            y1 = y - 4 - off - lh if up else y + 3 + off
            box = (x1, x1 + w, y1, y1 + lh + 1)
            cost = (1000 * sum(_crosses(s, box) for s in segments) + rank
                    + 100 * sum(b[0] < box[1] and box[0] < b[1] and b[2] < box[3] and box[2] < b[3] for b in placed)
                    + 10 * (box[0] < bounds[0] or box[1] > bounds[1] or box[2] < bounds[2] or box[3] > bounds[3]))
            if best is None or cost < best[0]:
                best = (cost, box, right)
        _, box, right = best
        placed.append(box)
        rows.append({"x1": box[0], "x2": box[1], "y1": box[2], "y2": box[3], "tx": box[0] + 2 if right else box[1] - 2,
                     "ty": (box[2] + box[3]) / 2, "align": "left" if right else "right"})
    return pd.DataFrame(rows, index=labels.index)


def _strokes(lines: list, orders: list) -> list[int]:
    """For each point, the stroke of its line it belongs to: a new stroke starts after a stage
    the line has no point at, so that no line is drawn through a stage without a value."""
    stroke, last, count = [0] * len(orders), {}, {}
    for i in sorted(range(len(orders)), key=lambda k: orders[k]):
        key = lines[i]
        if key in last and orders[i] - last[key] != 1:
            count[key] = count.get(key, 0) + 1
        last[key], stroke[i] = orders[i], count.get(key, 0)
    return stroke


def _plain_record(rec: dict) -> dict:
    out = {}
    for key, value in rec.items():
        if key in ("lane", "stage"):
            out[key] = None if not _present(value) else str(value)
        elif key == "n":
            out[key] = int(value) if _present(value) else None
        elif isinstance(value, float) and math.isnan(value):
            out[key] = None
        else:
            out[key] = value
    out["lane_title"] = MAP_LANES.get(out.get("lane") or "", "")
    return out

