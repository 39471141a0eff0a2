"""utils.diagrams: the block and stack figures must show exactly the model's layers and wiring.

The expected connectivity is read from ``model.get_config()`` (the serialised ``inbound_nodes``),
a different route from the one utils.diagrams takes (``layer._inbound_nodes``), so a bug in either
shows up as a mismatch. The drawings are inspected through the ``gid`` of their patches: a box's
gid is its layer name, an arrow's is "source->target".
"""
import time

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from utils import diagrams  # noqa: E402
from utils.models import densenet, googlenet, lenet, resnet, senet  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def inception():
    return googlenet.googlenet((64, 64, 3), 10)


@pytest.fixture(scope="module")
def small_resnet():
    return resnet.small_resnet()


def config_edges(model):
    """{(source, target)} from the serialised model: every keras_history inside a layer's inbound_nodes."""
    def histories(value):
        if isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                yield value["config"]["keras_history"][0]
            for item in value.values():
                yield from histories(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from histories(item)

    return {(source, layer["name"]) for layer in model.get_config()["layers"]
            for source in histories(layer["inbound_nodes"])}


def boxes(ax):
    return {p.get_gid(): p for p in ax.patches if isinstance(p, FancyBboxPatch)}


def arrows(ax):
    return [p.get_gid() for p in ax.patches if isinstance(p, FancyArrowPatch)]


def centre_y(box):
    return box.get_y() + box.get_height() / 2


def inbound(ax, name):
    return sorted(gid.split("->")[0] for gid in arrows(ax) if gid.endswith(f"->{name}"))


def test_inception_module_boxes_and_arrows_are_the_models(inception):
    prefix = "inception_3a"
    ax = diagrams.draw_block(inception, prefix)
    members = {layer.name for layer in inception.layers if layer.name.startswith(prefix)}
    assert len(members) == 8
    expected_edges = {(s, t) for s, t in config_edges(inception) if t in members}
    feeding = {s for s, _ in expected_edges} - members
    assert feeding == {"pool2_3x3_s2"}
    assert set(boxes(ax)) == members | feeding
    assert sorted(arrows(ax)) == sorted(f"{s}->{t}" for s, t in expected_edges)
    assert ax.get_title() == "googlenet: inception_3a"


def test_inception_branches_share_rows_and_the_concatenation_is_last(inception):
    ax = diagrams.draw_block(inception, "inception_3a")
    y = {name: centre_y(box) for name, box in boxes(ax).items()}
    first = [f"inception_3a_{b}" for b in ("1x1", "3x3_reduce", "5x5_reduce", "pool")]
    second = [f"inception_3a_{b}" for b in ("3x3", "5x5", "pool_proj")]
    assert len({y[n] for n in first}) == 1
    assert len({y[n] for n in second}) == 1
    assert y["pool2_3x3_s2"] > y[first[0]] > y[second[0]]
    assert min(y, key=y.get) == "inception_3a_output"
    assert list(y.values()).count(y["inception_3a_output"]) == 1  # alone in the last row
    x = {name: box.get_x() for name, box in boxes(ax).items()}
    assert [x[n] for n in first] == sorted(x[n] for n in first)  # the code's order: 1x1 left, pool right


def test_merges_are_drawn_differently(inception):
    ax = diagrams.draw_block(inception, "inception_3a")
    drawn = boxes(ax)
    merge, conv = drawn["inception_3a_output"], drawn["inception_3a_1x1"]
    assert merge.get_linewidth() > conv.get_linewidth()
    assert merge.get_facecolor() != conv.get_facecolor()


def test_no_boxes_overlap_and_fonts_are_legible(inception):
    ax = diagrams.draw_block(inception, "inception_3a")
    ax.figure.canvas.draw()
    extents = [box.get_window_extent() for box in boxes(ax).values()]
    for i, a in enumerate(extents):
        for b in extents[i + 1:]:
            assert not a.overlaps(b)
    assert all(t.get_fontsize() >= 7 for t in ax.texts)
    renderer = ax.figure.canvas.get_renderer()
    for name, box in boxes(ax).items():  # every label inside its box
        outer = box.get_window_extent()
        for text in ax.texts:
            if text.get_gid().startswith(f"{name}:"):
                inner = text.get_window_extent(renderer)
                assert outer.x0 <= inner.x0 and inner.x1 <= outer.x1, (name, text.get_text())


def test_box_labels_show_kernel_filters_and_shape(inception):
    ax = diagrams.draw_block(inception, "inception_3a")
    labels = {t.get_gid(): t.get_text() for t in ax.texts}
    assert labels["inception_3a_3x3_reduce:text0"] == "3x3_reduce"
    assert labels["inception_3a_3x3_reduce:text1"] == "Conv2D 1x1, 96, relu"
    assert labels["inception_3a_3x3:text2"] == "8x8x128"
    assert labels["pool2_3x3_s2:text1"] == "MaxPooling2D 3x3/2"
    assert labels["inception_3a_output:text2"] == "8x8x256"  # 64 + 128 + 32 + 32


def test_resnet_unit_add_has_shortcut_and_residual_inputs(small_resnet):
    ax = diagrams.draw_block(small_resnet, "block2_unit1")  # projection shortcut
    assert inbound(ax, "block2_unit1_add") == ["block2_unit1_conv2_bn", "block2_unit1_shortcut_bn"]
    ax = diagrams.draw_block(small_resnet, "block1_unit2")  # identity shortcut from the unit before
    assert inbound(ax, "block1_unit2_add") == ["block1_unit1_out", "block1_unit2_conv2_bn"]
    assert set(boxes(ax)) >= {"block1_unit1_out", "block1_unit2_add", "block1_unit2_out"}


def test_long_edges_bend_around_boxes(small_resnet):
    ax = diagrams.draw_block(small_resnet, "block1_unit2")
    ax.figure.canvas.draw()
    shortcut = next(p for p in ax.patches if p.get_gid() == "block1_unit1_out->block1_unit2_add")
    path = shortcut.get_path().transformed(ax.transData)  # patch paths are in data coordinates
    crossed = [name for name, box in boxes(ax).items()
               if name not in ("block1_unit1_out", "block1_unit2_add")
               and path.intersects_bbox(box.get_window_extent(), filled=False)]
    assert crossed == []


def test_resnet_v2_unit_adds_without_activation_after():
    model = resnet.resnet(resnet.resnet_v2_blocks((1, 1, 1, 1)), (32, 32, 3), 10, preact=True)
    graph = diagrams.layer_graph(model, "block1_unit1")
    names = [node.name for node in graph.nodes]
    assert names[-1] == "block1_unit1_add"
    assert sorted(s for s, t in graph.edges if t == "block1_unit1_add") == [
        "block1_unit1_conv3", "block1_unit1_shortcut"]
    assert ("block1_unit1_preact_relu", "block1_unit1_shortcut") in graph.edges


def test_dense_block_concatenations():
    model = densenet.small_densenet_bc()
    ax = diagrams.draw_block(model, "dense1")
    types = {node.name: node.type for node in diagrams.layer_graph(model, "dense1").nodes}
    previous = "stem_conv"
    for i in (1, 2, 3):
        concat = f"dense1_block{i}_concat"
        assert types[concat] == "Concatenate"
        assert inbound(ax, concat) == sorted([previous, f"dense1_block{i}_2_conv"])
        previous = concat
    assert "dense2_block1_concat" not in boxes(ax) and "transition1_bn" not in boxes(ax)


def test_se_block_multiplies():
    model = senet.small_se_resnet()
    ax = diagrams.draw_block(model, "block2_unit1_se")
    graph = diagrams.layer_graph(model, "block2_unit1_se")
    types = {node.name: node.type for node in graph.nodes}
    assert types["block2_unit1_se_scale"] == "Multiply"
    assert inbound(ax, "block2_unit1_se_scale") == ["block2_unit1_conv2_bn", "block2_unit1_se_reshape"]
    assert [n.name for n in graph.nodes if n.role == "input"] == ["block2_unit1_conv2_bn"]
    ax = diagrams.draw_block(model, "block2_unit1")  # the whole SE unit: SE before the addition
    assert inbound(ax, "block2_unit1_add") == ["block2_unit1_se_scale", "block2_unit1_shortcut_bn"]


def test_lenet_stack_lists_every_layer_in_model_order():
    model = lenet.lenet()
    ax = diagrams.draw_stack(model)
    drawn = boxes(ax)
    top_to_bottom = sorted(drawn, key=lambda name: -centre_y(drawn[name]))
    assert top_to_bottom == [layer.name for layer in model.layers]
    assert len(arrows(ax)) == len(model.layers) - 1
    shapes = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid().endswith(":shape")}
    assert shapes["c1:shape"] == "28x28x6" and shapes["f6:shape"] == "84"
    assert any(t.get_text() == "c3:  Conv2D 5x5, 16, relu" for t in ax.texts)
    assert ax.get_title() == "lenet5: layer stack"
    assert all(t.get_fontsize() >= 7 for t in ax.texts)


def test_stack_figure_grows_with_the_layer_count():
    short = diagrams.draw_stack(lenet.lenet()).figure.get_size_inches()[1]
    tall = diagrams.draw_stack(keras.Sequential(
        [keras.Input((8,))] + [keras.layers.Dense(4, name=f"d{i}") for i in range(30)])).figure
    assert tall.get_size_inches()[1] > 2 * short


def test_unknown_prefix_names_it_and_suggests_blocks(inception):
    with pytest.raises(ValueError, match=r"prefix='inception_9z'.*'inception_3a'"):
        diagrams.draw_block(inception, "inception_9z")
    with pytest.raises(ValueError, match=r"prefix='conv'.*'lenet5'.*'c1'"):  # no blocks: layer names
        diagrams.layer_graph(lenet.lenet(), "conv")
    with pytest.raises(TypeError, match="prefix=3"):
        diagrams.layer_graph(inception, 3)
    with pytest.raises(TypeError, match="model=str"):
        diagrams.layer_graph("googlenet", "inception_3a")


def test_draw_stack_refuses_a_branching_model(small_resnet):
    with pytest.raises(ValueError, match="not a chain.*draw_block"):
        diagrams.draw_stack(small_resnet)


def test_prefix_ending_in_a_digit_stops_at_the_number():
    assert diagrams.matches("block3_unit1_conv1", "block3_unit1")
    assert not diagrams.matches("block3_unit10_conv1", "block3_unit1")
    assert diagrams.matches("inception_3a_1x1", "inception_3")  # "3" then "a": still a prefix


def test_shared_layer_is_wired_as_in_this_model():
    shared = keras.layers.Dense(3, name="shared")
    a_in = keras.Input((3,), name="a_in")
    keras.Model(a_in, shared(keras.layers.Dense(3, name="a_hidden")(a_in)), name="a")
    b_in = keras.Input((3,), name="input")
    b = keras.Model(b_in, shared(b_in), name="b")
    assert diagrams.layer_graph(b).edges == [("input", "shared")]


def test_given_axes_title_and_determinism(small_resnet):
    fig, ax = plt.subplots()
    assert diagrams.draw_block(small_resnet, "block1_unit1", ax=ax, title="A basic unit") is ax
    assert ax.get_title() == "A basic unit"
    first = diagrams.layered_layout(diagrams.layer_graph(small_resnet, "block2_unit1"))
    second = diagrams.layered_layout(diagrams.layer_graph(small_resnet, "block2_unit1"))
    assert first == second


def test_resnet50_unit_draws_in_under_a_second():
    model = resnet.resnet50((32, 32, 3), 10)
    start = time.perf_counter()
    ax = diagrams.draw_block(model, "block2_unit1")
    assert time.perf_counter() - start < 1.0
    assert len(boxes(ax)) == 1 + len([l for l in model.layers if l.name.startswith("block2_unit1_")])
