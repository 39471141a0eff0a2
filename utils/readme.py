"""Regenerate the README's chapter table and wall-time table from the notebooks themselves.

``python -m utils.readme`` (``make readme``) reads every chapter's title, its first paragraph and
its first stored figure (saved as a thumbnail under ``chapters/thumbnails/``), and the per-notebook
wall times of the last ``make test`` (``build/test-durations.json``), then rewrites the parts of
README.md between the ``<!-- chapter table -->`` and ``<!-- timings -->`` markers.
"""
import base64
import io
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
THUMBNAILS = CHAPTERS / "thumbnails"
DURATIONS = ROOT / "build" / "test-durations.json"

# One line per chapter for the front page: what a student comes away with.
SUMMARIES = {
    "00": "the map of the course, the tools, Fashion-MNIST, and why every run gives the same numbers",
    "01": "code as a dataflow graph, run in a Session; names, fetches, and the same graph from tf.function",
    "02": "placeholders with a None batch dimension, feed_dict and its errors; input_signature in TF2",
    "03": "variables and the uninitialised-value error, variable_scope reuse, Saver and tf.train.Checkpoint",
    "04": "softmax regression and an MLP trained in a session loop with tf.gradients, then in Keras",
    "05": "convolution and pooling from first principles; LeNet-5 at 0.88+ on Fashion-MNIST",
    "06": "ReLU, dropout, LRN, overlapping pooling, grouped convolution; TF1 graph vs Keras, timed",
    "07": "stacked 3x3 convolutions; the seed's variable_scope VGG16 with its bugs fixed; 138M parameters",
    "08": "mlpconv as 1x1 convolutions and global average pooling, in caffe-tensorflow's chain style",
    "09": "the Inception module and its savings; the seed's tflearn script on a tflearn-compatible API",
    "10": "batch normalisation from its equations, checked against Keras, and what it does to training",
    "11": "the degradation problem shown for real; Highway layers; residual blocks; ResNet-50",
    "12": "pre-activation and identity mappings; the seed's slim ResNet v2 structure on Keras 3",
    "13": "dense connectivity, growth rate, bottleneck and transition layers; DenseNet-121/169/201",
    "14": "squeeze-and-excitation: channel reweighting on real feature maps; SE-ResNet-50",
    "15": "every architecture side by side: parameters, FLOPs, time per image, accuracy, ILSVRC",
    "16": "preprocessing, initialisation, learning rate, overfitting a tiny subset first, loss functions",
    "17": "Session vs tf.function vs XLA, and how close each network gets to the CPU's peak",
}

# The paper each chapter follows (short form; the chapter gives the full citation).
PAPERS = {
    "01": "Abadi et al. 2015, TensorFlow whitepaper",
    "04": "",
    "05": "LeCun et al. 1998",
    "06": "Krizhevsky, Sutskever & Hinton 2012",
    "07": "Simonyan & Zisserman 2014",
    "08": "Lin, Chen & Yan 2013",
    "09": "Szegedy et al. 2014",
    "10": "Ioffe & Szegedy 2015",
    "11": "Srivastava et al. 2015; He et al. 2015",
    "12": "He et al. 2016",
    "13": "Huang et al. 2017",
    "14": "Hu, Shen & Sun 2017",
    "17": "Williams, Waterman & Patterson 2009 (roofline)",
}


def chapter_facts(path):
    """Title, one-line summary and first figure (PNG bytes) of a stored notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    text = "".join(cells[0]["source"])
    title = text.splitlines()[0].lstrip("# ").strip()
    title = re.sub(r"^\d\d\s*·\s*", "", title)
    summary = SUMMARIES.get(path.name[:2], "")
    figure = next((base64.b64decode(o["data"]["image/png"]) for c in cells for o in c.get("outputs", [])
                   if "image/png" in o.get("data", {})), None)
    return title, summary, figure


def write_thumbnail(png, target, width=160):
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.thumbnail((width, width * 3 // 4))
    target.parent.mkdir(exist_ok=True)
    image.save(target, optimize=True)


def chapter_table(durations):
    rows = ["| # | chapter | paper | time (s) | figure |", "|---|---|---|---:|---|"]
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        number = path.name[:2]
        title, summary, figure = chapter_facts(path)
        thumb = ""
        if figure is not None:
            target = THUMBNAILS / f"{path.stem}.png"
            write_thumbnail(figure, target)
            thumb = f"![]({target.relative_to(ROOT).as_posix()})"
        seconds = durations.get(f"chapters/{path.name}")
        rows.append(f"| {number} | [{title}](chapters/{path.name}): {summary} | {PAPERS.get(number, '')} "
                    f"| {'' if seconds is None else f'{seconds:.0f}'} | {thumb} |")
    return "\n".join(rows)


def timings_text(data):
    if not data:
        return "Run `make test`, then `make readme`, to fill this in."
    total = sum(data["notebooks"].values())
    return (f"Wall time of `make test` on the machine below (2 cores): **{data['whole_run_seconds']:.0f} s** "
            f"for the whole run, of which {total:.0f} s are the notebooks (each notebook's time, kernel start "
            "included, is in the chapter table). Regenerate with `make test && make readme`.")


def replace_between(text, marker, new):
    pattern = re.compile(rf"(<!-- {marker} -->\n).*?(\n<!-- /{marker} -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"README.md has no <!-- {marker} --> ... <!-- /{marker} --> markers")
    return pattern.sub(lambda m: m.group(1) + new + m.group(2), text)


def main():
    data = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    readme = ROOT / "README.md"
    text = readme.read_text()
    text = replace_between(text, "chapter table", chapter_table(data.get("notebooks", {})))
    text = replace_between(text, "timings", timings_text(data))
    readme.write_text(text)
    print(f"README.md: {len(list(CHAPTERS.glob('*.ipynb')))} chapters"
          + ("" if data else " (no wall times yet: run `make test` first)"))


if __name__ == "__main__":
    sys.exit(main())
