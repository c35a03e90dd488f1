"""Headless Chromium for the browser tests: find it, dump a page's DOM, screenshot it, read the PNG.

Chromium is a system package (`apt-get install chromium`; `.ci/run` installs it). Without it
the browser tests skip with the reason, except under CI (`CI` set), where they fail: CI must
really run them. PNGs are decoded with numpy + zlib (no imaging library needed).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import struct
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--hide-scrollbars", "--mute-audio")


def chromium_path() -> str | None:
    explicit = os.environ.get("OPS_SLA_CHROMIUM")
    if explicit:
        return explicit
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        reason = ("headless Chromium not found (looked for " + ", ".join(CHROMIUM_NAMES)
                  + "); install it with `apt-get install -y chromium` (.ci/run does)")
        if os.environ.get("CI"):
            pytest.fail(reason + " - CI must run the browser tests")
        pytest.skip(reason)
    return path


def run_chromium(url: str, *args: str, budget_ms: int = 10_000, timeout: float = 120) -> subprocess.CompletedProcess:
    """One headless Chromium run on `url` with a fresh profile; virtual time lets scripts finish."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [require_chromium(), *FLAGS, f"--user-data-dir={profile}",
               f"--virtual-time-budget={budget_ms}", *args, url]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"chromium failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return proc


def dump_dom(url: str, budget_ms: int = 10_000) -> str:
    return run_chromium(url, "--dump-dom", budget_ms=budget_ms).stdout


def screenshot(url: str, out: Path, width: int = 1100, height: int = 2700, budget_ms: int = 10_000) -> Path:
    run_chromium(url, f"--screenshot={out}", f"--window-size={width},{height}", budget_ms=budget_ms)
    assert out.is_file(), f"chromium wrote no screenshot to {out}"
    return out


@contextlib.contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve `root` over http on a free localhost port; yields the base URL."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass

    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- PNG -------------------------------------------------------------------------------------

def _paeth_row(filtered: np.ndarray, prior: np.ndarray, bpp: int) -> np.ndarray:
    out = bytearray(filtered.tobytes())
    up = prior.tobytes()
    for i in range(len(out)):
        a = out[i - bpp] if i >= bpp else 0
        b = up[i]
        c = up[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[i] = (out[i] + pred) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)


def _average_row(filtered: np.ndarray, prior: np.ndarray, bpp: int) -> np.ndarray:
    out = bytearray(filtered.tobytes())
    up = prior.tobytes()
    for i in range(len(out)):
        a = out[i - bpp] if i >= bpp else 0
        out[i] = (out[i] + ((a + up[i]) >> 1)) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)


def read_png(path: Path) -> np.ndarray:
    """Decode an 8-bit, non-interlaced RGB/RGBA PNG into an (height, width, channels) uint8 array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat, header = 8, bytearray(), None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header is not None, f"{path} has no IHDR"
    width, height, depth, color, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(color)
    assert depth == 8 and channels and interlace == 0, f"unsupported PNG {header}"
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(bytes(idat)), dtype=np.uint8).reshape(height, stride + 1)
    rows = np.zeros((height, stride), dtype=np.uint8)
    prior = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            cur = line
        elif kind == 1:  # Sub: running sum per channel, modulo 256
            cur = np.cumsum(line.reshape(width, channels), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:
            cur = line + prior
        elif kind == 3:
            cur = _average_row(line, prior, channels)
        elif kind == 4:
            cur = _paeth_row(line, prior, channels)
        else:
            raise AssertionError(f"bad PNG filter {kind} in row {y}")
        rows[y] = cur
        prior = rows[y]
    return rows.reshape(height, width, channels)


def colored_fraction(pixels: np.ndarray, min_chroma: int = 40) -> float:
    """Share of pixels with a clear colour (chart marks), as opposed to white, grey or black text."""
    rgb = pixels[..., :3].astype(np.int16)
    chroma = rgb.max(axis=-1) - rgb.min(axis=-1)
    return float((chroma >= min_chroma).mean())
