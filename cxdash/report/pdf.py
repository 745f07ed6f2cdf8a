"""The board pack as an A4 landscape PDF (reportlab): a title page, then one page per section, each with
a footer naming the data source and date, and page numbers."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cxdash import theme
from cxdash.report.content import TITLE, Chart, Pack, Section

PAGE = landscape(A4)
MARGIN = 15 * mm
BODY_WIDTH = PAGE[0] - 2 * MARGIN - 12  # reportlab frames pad 6 pt each side
BODY_HEIGHT = PAGE[1] - 2 * MARGIN - 10 * mm  # room for the header and footer lines

INK = colors.HexColor("#1F1F1F")
MUTED = colors.HexColor("#5A5A5A")
RULE = colors.HexColor("#D0D0D0")
ACCENT = colors.HexColor(theme.OKABE_ITO[0])
PALE = colors.HexColor("#EEF4F9")

#: TrueType fonts tried in turn (Liberation Sans has Arial's metrics, as the charts use); else Helvetica.
FONTS = Path("/usr/share/fonts/truetype")
FONT_FILES = [
    (FONTS / "liberation/LiberationSans-Regular.ttf", FONTS / "liberation/LiberationSans-Bold.ttf"),
    (FONTS / "dejavu/DejaVuSans.ttf", FONTS / "dejavu/DejaVuSans-Bold.ttf"),
]


def _fonts() -> tuple[str, str]:
    """Register the body font once; (regular, bold) names."""
    if "PackSans" in pdfmetrics.getRegisteredFontNames():
        return "PackSans", "PackSans-Bold"
    for regular, bold in FONT_FILES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("PackSans", regular))
            pdfmetrics.registerFont(TTFont("PackSans-Bold", bold))
            return "PackSans", "PackSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=11.5, leading=15, textColor=INK)
    return {
        "base": base,
        "h1": ParagraphStyle("h1", base, fontName=bold, fontSize=22, leading=27, spaceAfter=4),
        "lead": ParagraphStyle("lead", base, fontSize=12.5, leading=17, textColor=INK, spaceAfter=8),
        "caption": ParagraphStyle("caption", base, fontSize=10.5, leading=14, textColor=MUTED, spaceBefore=3),
        "notice": ParagraphStyle("notice", base, fontSize=13, leading=18),
        "cover_org": ParagraphStyle("cover_org", base, fontName=bold, fontSize=34, leading=40, spaceAfter=6),
        "cover_title": ParagraphStyle("cover_title", base, fontSize=20, leading=26, textColor=ACCENT, spaceAfter=6),
        "cover_sub": ParagraphStyle("cover_sub", base, fontSize=13, leading=18, textColor=MUTED, spaceAfter=16),
        "fact_label": ParagraphStyle("fact_label", base, fontSize=12, textColor=MUTED),
        "fact": ParagraphStyle("fact", base, fontSize=12.5, leading=16),
        "contents": ParagraphStyle("contents", base, fontSize=11.5, leading=16, textColor=MUTED),
        "tile_label": ParagraphStyle("tile_label", base, fontSize=10.5, leading=13, textColor=MUTED),
        "tile_value": ParagraphStyle("tile_value", base, fontName=bold, fontSize=24, leading=29),
        "tile_note": ParagraphStyle("tile_note", base, fontSize=9.5, leading=12, textColor=MUTED),
        "th": ParagraphStyle("th", base, fontName=bold, fontSize=11, leading=14, textColor=colors.white),
        "td": ParagraphStyle("td", base, fontSize=13, leading=16),
        "td_bold": ParagraphStyle("td_bold", base, fontName=bold, fontSize=14.5, leading=17),
        "step_no": ParagraphStyle("step_no", base, fontName=bold, fontSize=22, leading=26, textColor=ACCENT),
        "step_head": ParagraphStyle("step_head", base, fontName=bold, fontSize=13.5, leading=17),
        "step_sum": ParagraphStyle("step_sum", base, fontSize=10.5, leading=14, textColor=MUTED, spaceAfter=3),
        "step_text": ParagraphStyle("step_text", base, fontSize=12, leading=16),
        "page": ParagraphStyle("page", base, fontSize=8.5, alignment=TA_RIGHT),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _image(chart: Chart, width: float, max_height: float) -> Image:
    """The chart's PNG scaled to fit width x max_height, keeping its shape."""
    with PILImage.open(io.BytesIO(chart.png)) as img:
        px_w, px_h = img.size
    scale = min(width / px_w, max_height / px_h)
    return Image(io.BytesIO(chart.png), width=px_w * scale, height=px_h * scale, hAlign="LEFT")


def _notice(text: str, styles: dict) -> Table:
    box = Table([[_p(text, styles["notice"])]], colWidths=[BODY_WIDTH])
    box.setStyle(
        TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), PALE),
            ("LINEBEFORE", (0, 0), (0, -1), 4, ACCENT),
            ("LEFTPADDING", (0, 0), (-1, -1), 14),
            ("TOPPADDING", (0, 0), (-1, -1), 10),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
        ])
    )  # fmt: skip
    return box


def _tiles(section: Section, width: float, styles: dict) -> Table:
    rows = []
    for tile in section.tiles:
        value = _p(tile.value, styles["tile_value"])
        rows.append([[_p(tile.label, styles["tile_label"]), value, _p(tile.note, styles["tile_note"])]])
    table = Table(rows, colWidths=[width])
    commands = [
        ("LINEBEFORE", (0, 0), (0, -1), 3, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 10),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
    ]
    for i, tile in enumerate(section.tiles):
        if tile.colour:  # the stage's colour as on the app, always with its name
            commands.append(("LINEBEFORE", (0, i), (0, i), 6, colors.HexColor(tile.colour)))
    table.setStyle(TableStyle(commands))
    return table


def _table(section: Section, styles: dict) -> Table:
    spec = section.table
    data = [[_p(h, styles["th"]) for h in spec.header]]
    for row in spec.rows:
        figure = styles["td_bold"] if any(c.isdigit() for c in row[1]) else styles["td"]  # 'not enough responses'
        data.append([_p(row[0], styles["td"]), _p(row[1], figure)] + [_p(c, styles["td"]) for c in row[2:]])
    table = Table(data, colWidths=[w * BODY_WIDTH for w in spec.widths], repeatRows=1)
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#3A3A3A")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 9),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
    ]
    commands += [("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F6F6F6")) for r in range(2, len(data), 2)]
    table.setStyle(TableStyle(commands))
    return table


def _steps(section: Section, styles: dict) -> Table:
    data = [
        [
            _p(f"{i}", styles["step_no"]),
            [_p(s.pillar, styles["step_head"]), _p(s.summary, styles["step_sum"]), _p(s.text, styles["step_text"])],
        ]
        for i, s in enumerate(section.steps, start=1)
    ]
    table = Table(data, colWidths=[12 * mm, BODY_WIDTH - 12 * mm])
    table.setStyle(
        TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -2), 0.5, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 9),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 11),
        ])
    )  # fmt: skip
    return table


def _section(section: Section, styles: dict) -> list[Flowable]:
    """The flowables of one page, shrunk if need be so that a section never runs onto a second page."""
    body: list[Flowable] = [_p(section.title, styles["h1"])]
    if section.lead:
        body.append(_p(section.lead, styles["lead"]))
    if section.notice:
        body += [_notice(section.notice, styles), Spacer(1, 10)]
    used = 27 + (17 * 2 + 8 if section.lead else 0) + (60 if section.notice else 0)
    if section.tiles and section.chart is not None:
        left = BODY_WIDTH * 0.3
        right = BODY_WIDTH - left - 8 * mm
        chart = [_image(section.chart, right, BODY_HEIGHT - used - 50)]
        chart += [_p(c, styles["caption"]) for c in section.chart.captions]
        grid = Table([[_tiles(section, left, styles), chart]], colWidths=[left + 8 * mm, right])
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        body.append(grid)
    elif section.chart is not None:
        room = BODY_HEIGHT - used - 16 * len(section.chart.captions) - 30
        body.append(_image(section.chart, BODY_WIDTH, room))
        body += [_p(c, styles["caption"]) for c in section.chart.captions]
    if section.table is not None:
        body += [Spacer(1, 4), _table(section, styles)]
    if section.steps:
        body.append(_steps(section, styles))
    body += [_p(c, styles["caption"]) for c in section.captions]
    return [KeepInFrame(BODY_WIDTH, BODY_HEIGHT, body, mode="shrink"), PageBreak()]


def _cover(pack: Pack, styles: dict) -> list[Flowable]:
    facts = Table(
        [[_p(label, styles["fact_label"]), _p(value, styles["fact"])] for label, value in pack.facts],
        colWidths=[55 * mm, BODY_WIDTH - 55 * mm],
    )
    facts.setStyle(
        TableStyle([
            ("LINEABOVE", (0, 0), (-1, 0), 1, ACCENT),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ])
    )  # fmt: skip
    half = (len(pack.sections) + 1) // 2
    entries = [f"{i}&nbsp;&nbsp;&nbsp;{escape(s.title)}" for i, s in enumerate(pack.sections, start=2)]
    columns = [entries[:half], entries[half:]]
    contents = Table(
        [[Paragraph("<br/>".join(col), styles["contents"]) for col in columns]],
        colWidths=[BODY_WIDTH / 2] * 2,
    )
    contents.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    body = [
        Spacer(1, 18 * mm),
        _p(pack.org_name, styles["cover_org"]),
        _p(TITLE, styles["cover_title"]),
        _p(pack.subtitle, styles["cover_sub"]),
        facts,
        Spacer(1, 9 * mm),
        _p("In this pack", styles["fact_label"]),
        Spacer(1, 2),
        contents,
    ]
    return [KeepInFrame(BODY_WIDTH, BODY_HEIGHT, body, mode="shrink"), PageBreak()]


def _canvas_class(pack: Pack, regular: str) -> type[canvas.Canvas]:
    """A canvas that writes the header, the footer and 'Page n of N' once the page count is known."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for number, state in enumerate(self._saved, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = PAGE
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            left, right = MARGIN + 6, width - MARGIN - 6  # aligned with the text inside the frame
            self.line(left, 12 * mm, right, 12 * mm)
            self.setFillColor(MUTED)
            self.setFont(regular, 8.5)
            lines = simpleSplit(pack.footer, regular, 8.5, width - 2 * MARGIN - 30 * mm)
            for i, line in enumerate(lines[:2]):
                self.drawString(left, 8 * mm - i * 10, line)
            self.drawRightString(right, 8 * mm, f"Page {number} of {total}")
            if number > 1:
                self.drawString(left, height - 9 * mm, f"{pack.org_name} · {TITLE}")
                self.drawRightString(right, height - 9 * mm, f"{pack.produced:%d %B %Y}")

    return NumberedCanvas


def render(pack: Pack) -> bytes:
    """The pack as PDF bytes (its charts' PNGs already drawn)."""
    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 2 * mm,
        bottomMargin=MARGIN + 2 * mm,
        title=f"{pack.org_name}: {TITLE}",
        author="cxdash",
        subject=pack.subtitle,
        creator="cxdash",
    )
    story = _cover(pack, styles)
    for section in pack.sections:
        story += _section(section, styles)
    story = story[:-1]  # no blank page after the last section
    doc.build(story, canvasmaker=_canvas_class(pack, styles["base"].fontName))
    return out.getvalue()
