"""Export chapters as reveal.js slide decks that open without a network connection.

``python -m utils.slides chapters build/slides`` (``make slides``) runs nbconvert's slides exporter
(the same as ``jupyter nbconvert --to slides``) on each notebook, with every script it would fetch
from a CDN (reveal.js 4.0.2, require.js, jQuery, MathJax 2.7.7, Font Awesome) pointed at the copies
in ``utils/vendor/``, which are copied next to the decks. Open ``build/slides/<chapter>.slides.html``
in a browser; press S for the speaker view with the instructor's notes.
"""
import shutil
import sys
from pathlib import Path

from nbconvert import SlidesExporter
from traitlets.config import Config

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor"

# Relative to the deck, so a folder of decks can be zipped, moved or served from anywhere.
LOCAL_URLS = {
    "SlidesExporter.reveal_url_prefix": "vendor/reveal.js",
    "SlidesExporter.font_awesome_url": "vendor/font-awesome/css/font-awesome.css",
    "HTMLExporter.require_js_url": "vendor/require.js/require.js",
    "HTMLExporter.jquery_url": "vendor/jquery/jquery.min.js",
    "HTMLExporter.mathjax_url": "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
}


def slides_exporter():
    """nbconvert's SlidesExporter with local script URLs and the course's template."""
    config = Config()
    for key, value in LOCAL_URLS.items():
        section, name = key.split(".")
        config[section][name] = value
    config.SlidesExporter.reveal_theme = "white"  # its fonts ship with reveal.js; "simple" loads Google Fonts
    config.SlidesExporter.reveal_scroll = True  # long code cells scroll instead of overflowing
    config.SlidesExporter.extra_template_basedirs = [str(HERE / "templates")]
    config.SlidesExporter.template_name = "course_reveal"
    return SlidesExporter(config=config)


def export_decks(notebooks, out_dir):
    """Write ``<stem>.slides.html`` for each notebook into out_dir, plus the vendored scripts."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(VENDOR, out_dir / "vendor", dirs_exist_ok=True)
    exporter = slides_exporter()
    written = []
    for notebook in notebooks:
        notebook = Path(notebook)
        body, _ = exporter.from_filename(str(notebook))
        target = out_dir / f"{notebook.stem}.slides.html"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(target)  # a failed export never leaves half a deck
        written.append(target)
    return written


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: python -m utils.slides NOTEBOOK_OR_FOLDER OUT_DIR")
    source = Path(argv[0])
    if not source.exists():
        sys.exit(f"{source}: no such notebook or folder")
    notebooks = sorted(source.glob("*.ipynb")) if source.is_dir() else [source]
    for deck in export_decks(notebooks, argv[1]):
        print(deck)


if __name__ == "__main__":
    main(sys.argv[1:])
