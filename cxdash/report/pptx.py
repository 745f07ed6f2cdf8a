"""The board pack as a 16:9 PowerPoint deck (python-pptx): a title slide, then one slide per section,
each with a footer naming the data source and date, and slide numbers."""

from __future__ import annotations

import io

from PIL import Image as PILImage
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from cxdash import theme
from cxdash.report.content import TITLE, Chart, Pack, Section, Step

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_WIDTH = WIDTH - 2 * MARGIN
BODY_TOP = Inches(1.15)
BODY_BOTTOM = Inches(6.85)
FONT = "Arial"

INK = RGBColor(0x1F, 0x1F, 0x1F)
MUTED = RGBColor(0x5A, 0x5A, 0x5A)
RULE = RGBColor(0xD0, 0xD0, 0xD0)
ACCENT = RGBColor.from_string(theme.OKABE_ITO[0].lstrip("#"))
PALE = RGBColor(0xEE, 0xF4, 0xF9)
HEADER = RGBColor(0x3A, 0x3A, 0x3A)
STRIPE = RGBColor(0xF6, 0xF6, 0xF6)

TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5


def _text(slide, left, top, width, height, paragraphs, anchor=MSO_ANCHOR.TOP):
    """A text box; paragraphs: [(text, size, bold, colour)]."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for margin in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, margin, Inches(0.05))
    for i, (text, size, bold, colour) in enumerate(paragraphs):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = text
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
        run.font.color.rgb = colour
        para.space_after = Pt(4)
    return box


def _title(slide, text: str) -> None:
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = MARGIN, Inches(0.35), BODY_WIDTH, Inches(0.75)
    shape.text = text
    frame = shape.text_frame
    frame.vertical_anchor = MSO_ANCHOR.TOP
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    for run in para.runs:
        run.font.size, run.font.bold, run.font.name = Pt(30), True, FONT
        run.font.color.rgb = INK


def _rect(slide, left, top, width, height, colour: RGBColor) -> None:
    shape = slide.shapes.add_shape(1, left, top, width, height)  # 1 = rectangle
    shape.fill.solid()
    shape.fill.fore_color.rgb = colour
    shape.line.fill.background()
    shape.shadow.inherit = False


def _picture(slide, chart: Chart, left, top, width, max_height) -> int:
    """Place the chart's PNG within width x max_height, centred; returns its height (EMU)."""
    with PILImage.open(io.BytesIO(chart.png)) as img:
        px_w, px_h = img.size
    scale = min(width / px_w, max_height / px_h)
    w, h = int(px_w * scale), int(px_h * scale)
    slide.shapes.add_picture(io.BytesIO(chart.png), left + (width - w) // 2, top, Emu(w), Emu(h))
    return h


def _footer(slide, pack: Pack, number: int, total: int) -> None:
    _rect(slide, MARGIN, Inches(6.98), BODY_WIDTH, Emu(6350), RULE)
    _text(slide, MARGIN, Inches(7.02), BODY_WIDTH - Inches(1.2), Inches(0.4), [(pack.footer, 9, False, MUTED)])
    box = _text(slide, WIDTH - MARGIN - Inches(1.2), Inches(7.02), Inches(1.2), Inches(0.3),
                [(f"{number} / {total}", 10, False, MUTED)])  # fmt: skip
    box.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def _cover(prs: Presentation, pack: Pack) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_LAYOUT])
    _title(slide, pack.org_name)
    slide.shapes.title.top, slide.shapes.title.height = Inches(1.0), Inches(1.0)
    for run in slide.shapes.title.text_frame.paragraphs[0].runs:
        run.font.size = Pt(40)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = MARGIN, Inches(2.05), BODY_WIDTH, Inches(1.1)
    frame = subtitle.text_frame
    frame.text = TITLE
    frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    frame.paragraphs[0].runs[0].font.size = Pt(26)
    frame.paragraphs[0].runs[0].font.color.rgb = ACCENT
    frame.paragraphs[0].runs[0].font.name = FONT
    para = frame.add_paragraph()
    para.alignment = PP_ALIGN.LEFT
    run = para.add_run()
    run.text = pack.subtitle
    run.font.size, run.font.name, run.font.color.rgb = Pt(16), FONT, MUTED
    top = Inches(3.4)
    _rect(slide, MARGIN, top, BODY_WIDTH, Emu(12700), ACCENT)
    for label, value in pack.facts:
        _text(slide, MARGIN, top + Inches(0.08), Inches(3.0), Inches(0.45), [(label, 15, False, MUTED)])
        _text(slide, MARGIN + Inches(3.0), top + Inches(0.08), BODY_WIDTH - Inches(3.0), Inches(0.45),
              [(value, 16, False, INK)])  # fmt: skip
        top += Inches(0.55)


def _lines(text: str, width: int, size: float) -> int:
    """Lines a text takes at a font size in a box `width` EMU wide (Arial averages about half an em per character)."""
    per_line = max(1, int(width / 12700 / (size * 0.5)))
    return max(1, -(-len(text) // per_line))


def _height(paragraphs: list[tuple[str, float, bool, RGBColor]], width: int) -> int:
    """Estimated height (EMU) of a text box holding these paragraphs."""
    points = sum(_lines(text, width - Inches(0.1), size) * size * 1.2 + 4 for text, size, _, _ in paragraphs)
    return int(Pt(points + 8))


def _tiles(slide, section: Section, left, top, width) -> None:
    for tile in section.tiles:
        paragraphs = [(tile.label, 13, False, MUTED), (tile.value, 26, True, INK), (tile.note, 11, False, MUTED)]
        height = _height(paragraphs, width - Inches(0.18))
        _rect(slide, left, top + Inches(0.05), Inches(0.08), height - Inches(0.1),
              RGBColor.from_string((tile.colour or "#D0D0D0").lstrip("#")))  # fmt: skip
        _text(slide, left + Inches(0.18), top, width - Inches(0.18), height, paragraphs)
        top += height + Inches(0.08)


def _table(slide, section: Section, top, room) -> int:
    """The table within `room` EMU of height (rows and type shrink for long tables); returns its height."""
    spec = section.table
    rows, cols = len(spec.rows) + 1, len(spec.header)
    row_height = min(Inches(0.5), room // rows)
    size = 15 if row_height >= Inches(0.48) else 13 if row_height >= Inches(0.38) else 11
    shape = slide.shapes.add_table(rows, cols, MARGIN, top, BODY_WIDTH, row_height * rows)
    table = shape.table
    for j, w in enumerate(spec.widths):
        table.columns[j].width = int(BODY_WIDTH * w)
    for i, row in enumerate([spec.header, *spec.rows]):
        table.rows[i].height = row_height
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = value
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            run = cell.text_frame.paragraphs[0].runs[0]
            run.font.name, run.font.size = FONT, Pt(size - 1 if i == 0 else size)
            run.font.bold = i == 0 or (j == 1 and any(c.isdigit() for c in value))
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if i == 0 else INK
            cell.fill.solid()
            cell.fill.fore_color.rgb = HEADER if i == 0 else STRIPE if i % 2 == 0 else RGBColor(0xFF, 0xFF, 0xFF)
    return row_height * rows


#: Type sizes (heading, summary, text) for a list of steps, largest first: long lists shrink to fit.
STEP_SIZES = ((17, 12, 14), (15, 11, 12.5), (14, 10, 11.5), (13, 9.5, 10.5))


def _step_paragraphs(step: Step, sizes: tuple[float, float, float]) -> list[tuple[str, float, bool, RGBColor]]:
    head, summary, text = sizes
    return [(step.pillar, head, True, INK), (step.summary, summary, False, MUTED), (step.text, text, False, INK)]


def _section(prs: Presentation, pack: Pack, section: Section) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
    _title(slide, section.title)
    top = BODY_TOP
    if section.lead:
        lead = [(section.lead, 15, False, INK)]
        height = _height(lead, BODY_WIDTH)
        _text(slide, MARGIN, top, BODY_WIDTH, height, lead)
        top += height
    if section.notice:
        notice = [(section.notice, 15, False, INK)]
        height = _height(notice, BODY_WIDTH - Inches(0.3)) + Inches(0.2)
        _rect(slide, MARGIN, top, BODY_WIDTH, height, PALE)
        _rect(slide, MARGIN, top, Inches(0.07), height, ACCENT)
        _text(slide, MARGIN + Inches(0.2), top, BODY_WIDTH - Inches(0.3), height, notice, anchor=MSO_ANCHOR.MIDDLE)
        top += height + Inches(0.2)
    notes = [c for c in (section.lead, section.notice) if c]
    if section.chart is not None:
        captions = section.chart.captions
        notes += list(captions)
        shown = [(captions[0], 12, False, MUTED)] if captions else []  # the rest are in the speaker notes
        if section.tiles:
            left = int(BODY_WIDTH * 0.3)
            _tiles(slide, section, MARGIN, top, left)
            right_left, right = MARGIN + left + Inches(0.3), BODY_WIDTH - left - Inches(0.3)
        else:
            right_left, right = MARGIN, BODY_WIDTH
        below = _height(shown, right) if shown else 0
        height = _picture(slide, section.chart, right_left, top, right, BODY_BOTTOM - top - below)
        if shown:
            _text(slide, right_left, top + height, right, below, shown)
    if section.table is not None:
        below = _height([(c, 12, False, MUTED) for c in section.captions], BODY_WIDTH)
        top += _table(slide, section, top, BODY_BOTTOM - top - below - Inches(0.1)) + Inches(0.1)
    if section.steps:
        room = BODY_BOTTOM - top - _height([(c, 12, False, MUTED) for c in section.captions], BODY_WIDTH)
        for sizes in STEP_SIZES:  # the largest type at which every step fits on the slide
            blocks = [_step_paragraphs(step, sizes) for step in section.steps]
            heights = [_height(b, BODY_WIDTH - Inches(0.55)) for b in blocks]
            if sum(heights) + Inches(0.1) * len(heights) <= room:
                break
        for i, (step, paragraphs, height) in enumerate(zip(section.steps, blocks, heights, strict=True), start=1):
            _text(slide, MARGIN, top, Inches(0.5), height, [(str(i), sizes[0] + 9, True, ACCENT)])
            _text(slide, MARGIN + Inches(0.55), top, BODY_WIDTH - Inches(0.55), height, paragraphs)
            top += height + Inches(0.1)
            notes.append(f"{i}. {step.pillar}: {step.summary}. {step.text}")
    if section.captions:
        _text(slide, MARGIN, top, BODY_WIDTH, BODY_BOTTOM - top, [(c, 12, False, MUTED) for c in section.captions])
        notes += list(section.captions)
    slide.notes_slide.notes_text_frame.text = "\n\n".join(notes)


def render(pack: Pack) -> bytes:
    """The pack as .pptx bytes (its charts' PNGs already drawn)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = f"{pack.org_name}: {TITLE}"
    prs.core_properties.author = "cxdash"
    _cover(prs, pack)
    for section in pack.sections:
        _section(prs, pack, section)
    total = len(prs.slides)
    for number, slide in enumerate(prs.slides, start=1):
        _footer(slide, pack, number, total)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
