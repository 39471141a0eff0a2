"""Figures of a Keras model's own layer graph: one block (Inception module, residual unit, ...) or a stack.

The chapters draw their architecture figures from the model they build, so the figure and the code
cannot disagree: rename a layer or rewire a branch and the figure changes with it. Matplotlib only
(no Graphviz, unlike ``keras.utils.plot_model``), so it works from a plain ``pip install``.

* :func:`layer_graph` -- the nodes and edges of a functional model, or of one block of it;
* :func:`draw_block` -- a block top to bottom, parallel branches side by side;
* :func:`draw_stack` -- a chain of layers (LeNet, AlexNet, VGG) as one column of boxes.

Both drawing functions return the matplotlib Axes. Every box is a patch whose ``gid`` is its layer
name and every arrow one whose ``gid`` is ``"source->target"``, so a test can compare the drawing
with the model.
"""
import collections

import keras
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

# One box: `role` is "layer" (a layer of the block) or "input" (a layer outside it that feeds it).
LayerNode = collections.namedtuple("LayerNode", ["name", "type", "shape", "role", "layer"])
# nodes in model order; edges (source name, target name) in model order of the target, then in the
# order of the target's inputs (so an Add's edges are [shortcut, residual] as the code wrote them).
LayerGraph = collections.namedtuple("LayerGraph", ["nodes", "edges"])

MERGE_TYPES = ("Concatenate", "Add", "Multiply", "Subtract", "Average", "Maximum", "Minimum", "Dot")
STYLES = {  # (face colour, edge colour) per kind of layer
    "input": ("#f2f2f2", "#8c8c8c"),
    "conv": ("#dbe9f6", "#4a7ab0"),
    "pool": ("#dcefd9", "#4f9a4a"),
    "dense": ("#e8def3", "#7b5aa6"),
    "merge": ("#fde0c2", "#c8650f"),
    "other": ("#f7f3dc", "#9a8d3c"),
}
FONT_SIZE = 8


# ------------------------------------------------------------------------------------ the graph

def functional_model(model):
    """The functional graph behind ``model``: a functional model itself, a built Sequential's graph."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model={type(model).__name__}: pass a Keras model, e.g. "
                        f"layer_graph(googlenet.mini_googlenet(), 'inception_1a')")
    if isinstance(model, keras.Sequential):
        inner = getattr(model, "_functional", None)  # Keras 3 keeps a functional twin once built
        if inner is None:
            raise ValueError(f"model={model.name!r} is a Sequential model that has not been built: "
                             f"start it with keras.Input(shape) so that its layers are connected")
        return inner
    return model


def model_nodes(model):
    """``[(layer, node), ...]`` for every call of a layer that belongs to ``model``'s graph, in model order.

    Connectivity comes from ``layer._inbound_nodes`` and ``node.parent_nodes`` (Keras 3's
    ``keras.src.ops.node.Node``), the structure ``Functional.get_config`` itself reads. We read it
    directly instead of ``model.get_config()["layers"][i]["inbound_nodes"]`` because serialising a
    whole ResNet-50 just for its wiring is slow, and custom layers need not be serialisable to be
    drawn. A layer shared with another model has several inbound nodes; ``model._nodes`` (the keys
    of the nodes of this model, as ``keras.src.ops.function.make_node_key`` makes them) tells which
    are this model's. If a Keras version lacks either, every node is kept (right for unshared layers).
    """
    try:
        from keras.src.ops.function import make_node_key
    except ImportError:  # pragma: no cover - another Keras layout
        make_node_key = None
    own = getattr(model, "_nodes", None)
    pairs = []
    for layer in model.layers:
        for index, node in enumerate(layer._inbound_nodes):
            if own is None or make_node_key is None or make_node_key(layer, index) in own:
                pairs.append((layer, node))
    return pairs


def shape_text(node):
    """A node's output shape without the batch axis, e.g. "28x28x16" (several outputs: joined by "; ")."""
    shapes = [tuple(t.shape)[1:] for t in node.outputs]
    return "; ".join("x".join("?" if d is None else str(d) for d in s) or "scalar" for s in shapes)


def matches(name, prefix):
    """Does layer ``name`` belong to the block ``prefix``? A plain prefix test, except that a prefix ending
    in a digit does not continue into another digit: "block3_unit1" is not "block3_unit10"."""
    if not name.startswith(prefix):
        return False
    rest = name[len(prefix):]
    return not (rest and prefix[-1:].isdigit() and rest[0].isdigit())


def available_prefixes(names, limit=10):
    """Block prefixes a model offers, for error messages: the first one or two ``_``-parts of the layer
    names that >= 2 layers share ("block1", "block1_unit1"); the layer names themselves if none is."""
    counts = collections.Counter()
    order = []
    for name in names:
        parts = name.split("_")
        for k in (1, 2):
            if len(parts) > k:
                candidate = "_".join(parts[:k])
                if candidate not in counts:
                    order.append(candidate)
                counts[candidate] += 1
    found = [c for c in order if counts[c] >= 2] or list(names)
    return found[:limit] + (["..."] if len(found) > limit else [])


def layer_graph(model, prefix=None):
    """The boxes and arrows of a functional model: ``LayerGraph(nodes, edges)``.

    nodes: ``LayerNode(name, type, shape, role, layer)`` in model order; edges: ``(source, target)``
    layer names. With ``prefix`` only the layers whose name starts with it (the block: builders name
    a block's layers ``{block}_...``) are kept, with role "layer", plus the layers outside the block
    that feed it (role "input"); edges are those into the block's layers. A prefix ending in a
    digit stops at the number: "block3_unit1" is unit 1 only, not also units 10 to 19.
    """
    model = functional_model(model)
    if prefix is not None and not (isinstance(prefix, str) and prefix):
        raise TypeError(f"prefix={prefix!r}: pass a layer-name prefix as a string, e.g. "
                        f"prefix='inception_3a', or None for the whole model")
    pairs = model_nodes(model)
    inside = [(layer, node) for layer, node in pairs if prefix is None or matches(layer.name, prefix)]
    if not inside:
        hint = ", ".join(repr(p) for p in available_prefixes([layer.name for layer in model.layers]))
        raise ValueError(f"prefix={prefix!r}: no layer of model {model.name!r} has a name starting with it; "
                         f"try one of {hint}")
    selected = {layer.name for layer, _ in inside}
    edges = [(parent.operation.name, layer.name) for layer, node in inside for parent in node.parent_nodes]
    feeding = {source for source, _ in edges} - selected
    nodes = [LayerNode(layer.name, type(layer).__name__, shape_text(node),
                       "layer" if layer.name in selected else "input", layer)
             for layer, node in pairs if layer.name in selected or layer.name in feeding]
    return LayerGraph(nodes, edges)


# ------------------------------------------------------------------------------------ box labels

def pair_text(value):
    """(3, 3) -> "3x3", (2, 2) -> "2" (a stride), 2 -> "2": how papers write windows and strides."""
    value = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    return str(value[0]) if len(set(value)) == 1 else "x".join(map(str, value))


def describe(layer):
    """A layer's type and the settings that define it: "Conv2D 3x3/2, 64, relu", "MaxPooling2D 3x3/2"."""
    kind = type(layer).__name__
    config = layer.get_config()
    parts = []
    if "kernel_size" in config or "pool_size" in config:
        window = config.get("kernel_size") or config.get("pool_size")
        window = "x".join(map(str, window if isinstance(window, (tuple, list)) else (window,) * 2))
        strides = config.get("strides") or 1
        if pair_text(strides) != "1":
            window += "/" + pair_text(strides)
        parts.append(window)
    if "filters" in config:
        parts.append(str(config["filters"]))
    elif "units" in config:
        parts.append(str(config["units"]))
    if config.get("groups", 1) > 1:
        parts.append(f"groups {config['groups']}")
    if kind == "Dropout":
        parts.append(f"{config['rate']:g}")
    activation = config.get("activation")
    if isinstance(activation, str) and activation != "linear":
        parts.append(activation)
    text = kind + (" " + parts[0] if parts else "")
    return ", ".join([text] + parts[1:])


def kind_of(node):
    """Which colour a box gets: inputs, convolutions, poolings, dense layers, merges, the rest."""
    if node.role == "input":
        return "input"
    if node.type in MERGE_TYPES:
        return "merge"
    if "Conv" in node.type:
        return "conv"
    if "Pooling" in node.type:
        return "pool"
    if node.type == "Dense":
        return "dense"
    return "other"


def short_name(name, prefix):
    """A block layer's name without the block prefix ("inception_3a_3x3_reduce" -> "3x3_reduce")."""
    if prefix and name.startswith(prefix) and len(name) > len(prefix):
        return name[len(prefix):].lstrip("_") or name
    return name


# ------------------------------------------------------------------------------------ layout

def depths(graph):
    """Longest-path depth of each node from the block's inputs (those: 0), so parallel branches share rows."""
    parents = collections.defaultdict(list)
    for source, target in graph.edges:
        parents[target].append(source)
    depth = {}
    for node in graph.nodes:  # model order is a topological order
        ps = [depth[p] for p in parents[node.name] if p in depth]
        depth[node.name] = 0 if node.role == "input" or not ps else 1 + max(ps)
    return depth


def branch_keys(graph):
    """A sort key per node that puts parallel branches in the order the code merges them.

    A merge's inputs get its key plus their position in its input list (Concatenate([b1, b3, b5,
    pool]) puts the 1x1 branch left, as in the paper's figure; Add([shortcut, residual]) puts the
    shortcut left); a node feeding several layers takes the smallest key; the block's outputs are
    keyed by model order. ``model.layers`` alone would not do: Keras orders it by depth from the output.
    """
    index = {node.name: i for i, node in enumerate(graph.nodes)}
    children = collections.defaultdict(list)
    position = collections.Counter()
    for source, target in graph.edges:
        children[source].append((target, position[target]))
        position[target] += 1
    keys = {}
    for node in reversed(graph.nodes):  # children come later in model order
        options = [keys[c] + (i,) for c, i in children[node.name] if c in keys]
        keys[node.name] = min(options) if options else (index[node.name],)
    return keys


def layered_layout(graph):
    """``x, y`` per node name, plus the bend points of each edge that skips rows.

    Rows are depths (y = -depth). An edge spanning several rows gets a virtual point in each row it
    crosses, which takes a slot like a box, so a shortcut runs beside the boxes and never through
    them. In each row the slots are ordered by the mean x of their parents (ties by
    :func:`branch_keys`); slots wanting the same x are spread one unit apart around it, and a slot
    is pushed right if it would come closer than one unit to its left neighbour. Deterministic: it
    reads only the model's wiring.
    """
    depth = depths(graph)
    keys = branch_keys(graph)
    rows = collections.defaultdict(list)  # depth -> slot keys
    parents = collections.defaultdict(list)  # slot key -> slot keys one row up
    rank = {}
    for node in graph.nodes:
        rows[depth[node.name]].append(node.name)
        rank[node.name] = keys[node.name]
    position = collections.Counter()
    bends = {}
    for i, (source, target) in enumerate(graph.edges):
        edge_rank = keys[target] + (position[target],)
        position[target] += 1
        previous, chain = source, []
        for d in range(depth[source] + 1, depth[target]):
            slot = ("virtual", i, d)
            rows[d].append(slot)
            parents[slot].append(previous)
            rank[slot] = edge_rank
            chain.append(slot)
            previous = slot
        parents[target].append(previous)
        bends[i] = chain
    x = {}
    for d in sorted(rows):
        wanted = {k: (sum(x[p] for p in parents[k]) / len(parents[k]) if parents[k] else 0.0)
                  for k in rows[d]}
        slots = sorted(rows[d], key=lambda k: (round(wanted[k], 6), rank[k]))
        groups = collections.defaultdict(list)  # slots wanting the same x: spread them around it
        for k in slots:
            groups[round(wanted[k], 6)].append(k)
        previous = None
        for k in slots:
            group = groups[round(wanted[k], 6)]
            at = wanted[k] + group.index(k) - (len(group) - 1) / 2
            x[k] = at if previous is None else max(at, previous + 1.0)  # never closer than one slot
            previous = x[k]
    positions = {k: (x[k], -float(d)) for d in rows for k in rows[d]}
    return positions, {i: [positions[k] for k in chain] for i, chain in bends.items()}


# ------------------------------------------------------------------------------------ drawing

def draw_box(ax, node, xy, size, lines, bold_first=True):
    """One layer as a rounded box (colour by kind, merges with a thick border) with its text lines."""
    face, edge = STYLES[kind_of(node)]
    (x, y), (w, h) = xy, size
    merge = kind_of(node) == "merge"
    box = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.08",
                         fc=face, ec=edge, lw=2.4 if merge else 1.0,
                         ls="--" if node.role == "input" else "-", zorder=2)
    box.set_gid(node.name)
    ax.add_patch(box)
    n = len(lines)
    for i, line in enumerate(lines):
        ty = y + h / 2 - h * (i + 0.5) / n
        ax.text(x, ty, line, ha="center", va="center", fontsize=FONT_SIZE, zorder=3,
                fontweight="bold" if (i == 0 and bold_first) else "normal", gid=f"{node.name}:text{i}")
    return box


def draw_arrow(ax, points, gid):
    """An arrow through ``points`` (straight segments), ending at the last one."""
    codes = [Path.MOVETO] + [Path.LINETO] * (len(points) - 1)
    arrow = FancyArrowPatch(path=Path(points, codes), arrowstyle="-|>", mutation_scale=11,
                            color="0.35", lw=1.0, shrinkA=0, shrinkB=0, zorder=1)
    arrow.set_gid(gid)
    ax.add_patch(arrow)
    return arrow


def new_axes(ax, size):
    """The caller's Axes, or a new figure of ``size`` inches (the drawing scales with the graph)."""
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def draw_block(model, prefix, ax=None, title=None):
    """Draw the block ``prefix`` of ``model`` top to bottom, parallel branches side by side; returns the Axes.

    Boxes: the layer's short name, its type and settings (e.g. "Conv2D 3x3, 64"), its output shape;
    the layers feeding the block have dashed borders, merges (Concatenate, Add, Multiply) thick
    orange ones. title (the figure's alt text) defaults to "{model.name}: {prefix}".
    """
    graph = layer_graph(model, prefix)
    positions, bends = layered_layout(graph)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    columns, rows = max(xs) - min(xs) + 1, max(ys) - min(ys) + 1
    ax = new_axes(ax, (max(2.6, 2.3 * columns), max(2.0, 0.75 * rows + 0.5)))
    w, h = 0.9, 0.74
    for node in graph.nodes:
        name = node.name if node.role == "input" else short_name(node.name, prefix)
        lines = [name, describe(node.layer), node.shape]
        draw_box(ax, node, positions[node.name], (w, h), lines)
    incoming = collections.Counter(target for _, target in graph.edges)
    seen = collections.Counter()
    for i, (source, target) in enumerate(graph.edges):
        (sx, sy), (tx, ty) = positions[source], positions[target]
        k, j = incoming[target], seen[target]
        seen[target] += 1
        offset = (j - (k - 1) / 2) * min(0.12, 0.7 * w / max(k, 1)) if k > 1 else 0.0
        points = [(sx, sy - h / 2)] + bends[i] + [(tx + offset, ty + h / 2)]
        draw_arrow(ax, points, f"{source}->{target}")
    ax.set_xlim(min(xs) - 0.55, max(xs) + 0.55)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.axis("off")
    ax.set_title(title or f"{getattr(model, 'name', 'model')}: {prefix}", fontsize=10)
    return ax


def chain_of(graph, model_name):
    """The graph's nodes if they form one chain (each layer fed by the one before), else a ValueError."""
    names = [node.name for node in graph.nodes]
    expected = list(zip(names, names[1:]))
    if graph.edges != expected:
        branch = next((target for (s, target), e in zip(graph.edges, expected) if (s, target) != e),
                      graph.edges[len(expected)][1] if len(graph.edges) > len(expected) else names[-1])
        raise ValueError(f"model={model_name!r} is not a chain of layers (its graph branches or merges "
                         f"at {branch!r}): draw_stack is for LeNet/AlexNet/VGG-style stacks; draw a "
                         f"block with draw_block(model, prefix) instead")
    return graph.nodes


def draw_stack(model, ax=None, title=None):
    """Draw a sequential stack of layers (LeNet, AlexNet, VGG) as a column of boxes; returns the Axes.

    Each box: name, type and settings; the output shape is written beside it. Nothing is collapsed:
    the figure's height grows with the number of layers (about 0.36 inch each), the font stays 8pt.
    title defaults to "{model.name}: layer stack".
    """
    model = functional_model(model)
    nodes = chain_of(layer_graph(model), model.name)
    n = len(nodes)
    ax = new_axes(ax, (5.2, max(2.0, 0.36 * n + 0.6)))
    w, h = 0.62, 0.62
    for i, node in enumerate(nodes):
        y = -float(i)
        draw_box(ax, node, (0.0, y), (w, h), [f"{node.name}:  {describe(node.layer)}"], bold_first=False)
        ax.text(w / 2 + 0.03, y, node.shape, ha="left", va="center", fontsize=FONT_SIZE,
                family="monospace", gid=f"{node.name}:shape")
        if i:
            draw_arrow(ax, [(0.0, y + 1 - h / 2), (0.0, y + h / 2)], f"{nodes[i - 1].name}->{node.name}")
    ax.set_xlim(-w / 2 - 0.02, w / 2 + 0.42)
    ax.set_ylim(-(n - 1) - 0.5, 0.5)
    ax.axis("off")
    ax.set_title(title or f"{model.name}: layer stack", fontsize=10)
    return ax
