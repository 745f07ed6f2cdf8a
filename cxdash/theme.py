"""One visual language: colour-blind-safe palette (Okabe-Ito), fixed colours per pillar stage
and channel, and sizes that read on a projector."""

from __future__ import annotations

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

#: Stage colours run from warm (ad hoc) to deep blue (leading); labels always accompany them.
STAGE_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#F0E442", 4: "#56B4E9", 5: "#0072B2"}

CHANNEL_COLOURS = {
    "web": "#0072B2",
    "app": "#56B4E9",
    "email": "#009E73",
    "phone": "#E69F00",
    "automated_phone": "#F0E442",
    "face_to_face": "#CC79A7",
    "post": "#D55E00",
    "multiple": "#999999",
    "not_recorded": "#BBBBBB",
}

FONT_FAMILY = "Source Sans Pro, Arial, sans-serif"
FONT_SIZE = 16
CHART_HEIGHT = 380


def pillar_colour(position: int) -> str:
    """Colour for the pillar at a framework position (0-based), stable across pages."""
    return OKABE_ITO[position % len(OKABE_ITO)]


def ink_on(colour: str) -> str:
    """ "black" or "white", whichever has the higher contrast (WCAG relative luminance) on a #rrggbb colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"
