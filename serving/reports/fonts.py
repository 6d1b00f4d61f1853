"""Finding and registering a CJK TrueType font for the PDF, so Chinese renders anywhere.

The font is embedded in every PDF (reportlab always subsets TrueType fonts), so the reader's
machine needs no Chinese font. Lookup order: an explicit path (the ``report_font_path``
setting), then known Debian paths, then ``fc-match :lang=zh-cn``. A candidate is accepted only
if reportlab can embed it (TrueType outlines; CFF fonts such as Noto CJK are refused) and it
has glyphs for Chinese text.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from models.errors import CourtvalError

logger = logging.getLogger(__name__)

#: Known TrueType CJK fonts: (path, index in a .ttc collection). fonts-wqy-zenhei comes first.
KNOWN_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
#: Characters a usable font must have.
PROBE_TEXT = "询价报告拍卖异议〔〕（）"
_FC_MATCH_TIMEOUT_S = 10


class ReportFontNotFoundError(CourtvalError):
    """No usable CJK TrueType font; the message says where it looked and how to fix it."""


@dataclass(frozen=True)
class CjkFont:
    """A font file and its index inside a TrueType collection."""

    path: Path
    subfont_index: int = 0


def _usable(font: CjkFont) -> str | None:
    """``None`` if reportlab can embed ``font`` and it covers Chinese, else the reason."""
    if not font.path.is_file():
        return "no such file"
    try:
        face = _load(font).face
    except TTFError as exc:
        return f"not embeddable: {exc}"
    missing = [ch for ch in PROBE_TEXT if ord(ch) not in face.charToGlyph]
    return f"no glyphs for {''.join(missing)}" if missing else None


def _fc_match() -> CjkFont | None:
    """The system's preferred simplified-Chinese font, via fontconfig, if any."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    result = subprocess.run(
        [exe, "--format=%{file}\t%{index}", ":lang=zh-cn"],
        capture_output=True,
        text=True,
        timeout=_FC_MATCH_TIMEOUT_S,
        check=False,
    )
    path, _, index = result.stdout.strip().partition("\t")
    if result.returncode != 0 or not path:
        return None
    return CjkFont(Path(path), int(index) if index.isdigit() else 0)


def find_cjk_font(override: Path | None = None) -> CjkFont:
    """The CJK font to embed in reports.

    Args:
        override: A font file to use instead of searching (setting ``report_font_path``);
            index 0 of a collection. If given it must be usable: no silent fallback.

    Raises:
        ReportFontNotFoundError: If the override is unusable or no candidate is.
    """
    if override is not None:
        font = CjkFont(Path(override))
        if (reason := _usable(font)) is not None:
            raise ReportFontNotFoundError(
                f"report font {override} cannot be used ({reason}); give a TrueType .ttf/.ttc "
                "font with Chinese glyphs, e.g. /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
            )
        return font
    tried: list[str] = []
    candidates = [CjkFont(Path(p), i) for p, i in KNOWN_FONTS]
    if (matched := _fc_match()) is not None:
        candidates.append(matched)
    for font in candidates:
        reason = _usable(font)
        if reason is None:
            logger.debug("report font: %s (index %d)", font.path, font.subfont_index)
            return font
        tried.append(f"{font.path} ({reason})")
    raise ReportFontNotFoundError(
        "no CJK TrueType font found for the PDF report; install Debian's fonts-wqy-zenhei "
        "(apt-get install fonts-wqy-zenhei) or set COURTVAL_REPORT_FONT_PATH. Tried: "
        + "; ".join(tried)
    )


@functools.lru_cache(maxsize=8)
def _load(font: CjkFont) -> TTFont:
    name = "CJK-" + hashlib.sha1(f"{font.path}#{font.subfont_index}".encode()).hexdigest()[:10]
    return TTFont(name, str(font.path), subfontIndex=font.subfont_index)


def register_cjk_font(font: CjkFont) -> str:
    """Register ``font`` with reportlab (once) and return the name to use in styles."""
    ttf = _load(font)
    if ttf.fontName not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(ttf)
    return str(ttf.fontName)
