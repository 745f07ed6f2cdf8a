"""Draw Plotly figures as PNG with kaleido 1.x and Debian's Chromium, keeping ONE browser for many figures.

kaleido's own `start_sync_server` waits forever when Chromium fails to start (its worker thread dies and
the caller blocks on a queue), so this module keeps the same design, one kaleido in a background event
loop, but waits with a timeout and says what went wrong.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import io
import os
import threading
from concurrent.futures import Future
from pathlib import Path

import plotly.graph_objects as go
from PIL import Image

from cxdash import charts, config

#: What to tell a user whose machine has no Chromium.
MISSING = "Chromium is needed to draw the charts: sudo apt-get install chromium"

#: Seconds to wait for Chromium to start, and for one figure.
START_TIMEOUT = 60
FIGURE_TIMEOUT = 90

#: Pixel density of the PNGs (2 = sharp in print and on a projector).
SCALE = 2


class ChromiumMissing(RuntimeError):
    """Chromium, which draws the charts, is not installed (or will not start)."""


def chromium_path() -> Path:
    """The Chromium executable charts are drawn with; ChromiumMissing when there is none."""
    path = Path(os.environ.get("CXDASH_CHROMIUM") or config.CHROMIUM)  # CXDASH_CHROMIUM: another browser
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise ChromiumMissing(
            f"Chromium is needed to draw the charts: sudo apt-get install chromium (looked for {path})"
        )
    return path


def chromium_available() -> bool:
    """Whether Chromium is installed where the charts expect it."""
    try:
        chromium_path()
    except ChromiumMissing:
        return False
    return True


class Renderer:
    """One kaleido (one Chromium) in a background event loop, drawing figures one after another."""

    def __init__(self, browser: Path) -> None:
        """Start Chromium at `browser`; ChromiumMissing if it does not come up."""
        import kaleido

        self.browser = browser
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="cxdash-kaleido", daemon=True)
        self._thread.start()
        self._kaleido = None

        async def start() -> kaleido.Kaleido:
            k = kaleido.Kaleido(path=str(browser), mathjax=False, timeout=FIGURE_TIMEOUT)
            await k.open()
            return k

        try:
            self._kaleido = self._wait(start(), START_TIMEOUT)
        except Exception as exc:
            self.close()
            raise ChromiumMissing(
                f"{MISSING} ({browser} did not start: "
                f"{str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__})"
            ) from exc

    def _wait(self, coroutine: object, timeout: float) -> object:
        future: Future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    @property
    def alive(self) -> bool:
        """Whether the browser and its loop are still running."""
        return self._kaleido is not None and self._thread.is_alive()

    def png(self, fig: go.Figure, width: int, height: int | None = None) -> bytes:
        """The figure as PNG bytes, `width` CSS pixels wide (height: the figure's own, else 500)."""
        height = height or fig.layout.height or 500
        opts = {"format": "png", "width": int(width), "height": int(height), "scale": SCALE}
        return _opaque(self._wait(self._kaleido.calc_fig(fig, opts=opts), FIGURE_TIMEOUT))

    def close(self) -> None:
        """Close Chromium and stop the loop."""
        if self._kaleido is not None:
            with contextlib.suppress(Exception):  # closing a browser that already died
                self._wait(self._kaleido.close(), 20)
            self._kaleido = None
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


def _opaque(png: bytes) -> bytes:
    """The PNG on white without an alpha channel (smaller, and no soft mask in the PDF)."""
    with Image.open(io.BytesIO(png)) as img:
        if img.mode == "RGB":
            return png
        flat = Image.new("RGB", img.size, "white")
        flat.paste(img, mask=img.getchannel("A") if "A" in img.getbands() else None)
    out = io.BytesIO()
    flat.save(out, format="PNG", compress_level=3)
    return out.getvalue()


_renderer: Renderer | None = None
_lock = threading.Lock()


def renderer() -> Renderer:
    """The shared renderer, started on first use (Chromium takes about 3 s to start, later figures ~0.3 s)."""
    global _renderer
    browser = chromium_path()
    with _lock:
        if _renderer is not None and (not _renderer.alive or _renderer.browser != browser):
            _renderer.close()
            _renderer = None
        if _renderer is None:
            _renderer = Renderer(browser)
        return _renderer


def render(figures: list[tuple[go.Figure, int, int | None]]) -> list[bytes]:
    """PNG bytes for each (figure, width, height in pixels; height None: the figure's own), one browser for all."""
    if not figures:
        return []
    shared = renderer()
    try:
        return [shared.png(charts.inert(fig), width, height) for fig, width, height in figures]
    except Exception:
        shutdown()  # a browser that failed once is started afresh next time
        raise


def shutdown() -> None:
    """Close the shared browser (also done at exit)."""
    global _renderer
    with _lock:
        if _renderer is not None:
            _renderer.close()
            _renderer = None


atexit.register(shutdown)
