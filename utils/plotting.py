"""Figures the chapters share: image grids, training curves, filters, feature maps, graph drawings.

Each function draws with matplotlib and returns the Figure, so a notebook shows it and a test can
inspect it. None of them calls ``plt.show()``: Jupyter's inline backend displays the figure.
"""
import matplotlib.pyplot as plt
import numpy as np

from utils.checks import positive_number, whole_number


def image_grid(images, labels=None, class_names=None, ncols=8, size=1.3, cmap="gray", title=None):
    """Images (N, H, W[, C]) in a grid, each titled with its label (or class name)."""
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, C); got {images.shape}")
    if len(images) == 0:
        raise ValueError("images holds no image (N=0): pass at least one, e.g. images=x_train[:16]")
    if labels is not None and len(labels) < len(images):
        raise ValueError(f"labels has {len(labels)} entries for {len(images)} images: give one label per image")
    whole_number("ncols", ncols, example=8)
    positive_number("size", size, example=1.3)
    n = len(images)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.3 if title else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        image = images[i]
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        ax.imshow(image, cmap=cmap if image.ndim == 2 else None)
        if labels is not None:
            label = labels[i]
            ax.set_title(class_names[int(label)] if class_names is not None else str(label), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_curves(histories, metrics=("loss", "accuracy"), title=None):
    """Training curves of several runs side by side, one panel per metric.

    histories: ``{run name: {metric name: [value per epoch or step]}}``; a Keras ``History``
    object's ``.history`` has this shape. Validation series named ``val_<metric>`` are drawn dashed
    in the same colour.
    """
    if not (isinstance(histories, dict) and histories):
        raise TypeError(f"histories={type(histories).__name__}: pass a non-empty dict "
                        f"{{run name: history.history}}, e.g. {{'lenet': history}}")
    if isinstance(metrics, str) or not metrics:
        raise ValueError(f"metrics={metrics!r}: pass a non-empty tuple of names, e.g. metrics=('loss',)")
    found = {key.removeprefix("val_") for history in histories.values() for key in history}
    missing = [m for m in metrics if m not in found]
    if missing:
        raise ValueError(f"metrics={tuple(metrics)!r}: no run has {missing}; the runs have {sorted(found)}")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for i, (name, history) in enumerate(histories.items()):
            color = f"C{i}"
            if metric in history:
                ax.plot(np.arange(1, len(history[metric]) + 1), history[metric], color=color, label=name)
            if f"val_{metric}" in history:
                values = history[f"val_{metric}"]
                ax.plot(np.arange(1, len(values) + 1), values, color=color, linestyle="--",
                        label=f"{name} (val)")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_filters(kernel, ncols=8, size=1.0, title=None):
    """First-layer convolution kernels (kh, kw, in, out) as small images, one per output channel.

    Single-channel kernels are shown in grey; three-channel ones as colour images. Each is scaled
    to its own range, which is what makes the learned patterns visible.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(f"kernel must have shape (height, width, in_channels, out_channels); got {kernel.shape}")
    filters = np.moveaxis(kernel, -1, 0)  # (out, kh, kw, in)
    if filters.shape[-1] not in (1, 3):
        filters = filters.mean(axis=-1, keepdims=True)
    lo = filters.min(axis=(1, 2, 3), keepdims=True)
    hi = filters.max(axis=(1, 2, 3), keepdims=True)
    filters = (filters - lo) / np.maximum(hi - lo, 1e-12)
    return image_grid(filters, ncols=ncols, size=size, cmap="gray", title=title)


def plot_feature_maps(maps, ncols=8, size=1.1, title=None):
    """One example's feature maps (H, W, C) as C grey images."""
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"feature maps must have shape (height, width, channels); got {maps.shape}")
    return image_grid(np.moveaxis(maps, -1, 0), labels=range(maps.shape[-1]), ncols=ncols, size=size,
                      cmap="viridis", title=title)


def draw_graph(graph, title=None, size=(7, 4.5)):
    """A small TensorFlow graph (a ``tf.Graph`` or ``GraphDef``), operations as boxes, tensors as arrows.

    Operations are laid out left to right by their depth in the graph, so inputs sit on the left
    and results on the right. Meant for graphs of up to a few dozen operations.
    """
    import networkx as nx

    graph_def = graph.as_graph_def() if hasattr(graph, "as_graph_def") else graph
    if not hasattr(graph_def, "node"):
        raise TypeError(f"graph={type(graph).__name__}: draw_graph needs a tf.Graph or a GraphDef, "
                        f"e.g. draw_graph(tf.compat.v1.get_default_graph())")
    g = nx.DiGraph()
    for node in graph_def.node:
        g.add_node(node.name, op=node.op)
        for source in node.input:
            g.add_edge(source.lstrip("^").split(":")[0], node.name)
    if not nx.is_directed_acyclic_graph(g):
        raise ValueError("draw_graph draws acyclic graphs only (no while loops)")
    for layer, names in enumerate(nx.topological_generations(g)):
        for name in names:
            g.nodes[name]["layer"] = layer
    pos = nx.multipartite_layout(g, subset_key="layer")
    fig, ax = plt.subplots(figsize=size)
    nx.draw_networkx_edges(g, pos, ax=ax, arrows=True, arrowsize=14, node_size=2200, edge_color="0.4")
    labels = {n: f"{n}\n{d['op']}" for n, d in g.nodes(data=True)}
    nx.draw_networkx_labels(g, pos, labels=labels, ax=ax, font_size=8,
                            bbox=dict(boxstyle="round", fc="#dbe9f6", ec="#4a7ab0"))
    ax.axis("off")
    ax.margins(0.12)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
