"""Small helpers to build ONNX graphs with seeded random weights (used by make_models.py).

One GraphBuilder per model owns the node list, the initializers and a seeded numpy generator;
the layer functions below (conv + batch norm, linear, layer norm, GELU, classifier head) are
shared by ResNet-50, MobileNetV2 and BERT so each model file only describes its topology.

Weights are scaled so activations stay O(1) all the way through (He init for convolutions,
batch norm with plausible statistics, 1/sqrt(fan_in) for dense layers): with exploding or
vanishing activations an Ember-vs-onnxruntime comparison would prove nothing.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class GraphBuilder:
    def __init__(self, name, seed):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self._counts = {}
        self._consts = {}  # small constants are shared, not repeated per layer

    def fresh(self, prefix):
        """A unique value/node name: prefix, prefix_1, prefix_2, ..."""
        n = self._counts.get(prefix, 0)
        self._counts[prefix] = n + 1
        return prefix if n == 0 else f"{prefix}_{n}"

    def param(self, prefix, array):
        name = self.fresh(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(array, order="C"), name=name))
        return name

    def const_f(self, prefix, value):
        return self._const(prefix, np.asarray(value, dtype=np.float32))

    def const_i(self, prefix, values):
        return self._const(prefix, np.asarray(values, dtype=np.int64))

    def _const(self, prefix, array):
        key = (prefix, array.dtype.str, array.shape, array.tobytes())
        if key not in self._consts:
            self._consts[key] = self.param(prefix, array)
        return self._consts[key]

    def op(self, op_type, inputs, name=None, n_out=1, **attrs):
        """Adds a node; returns its output name (or a list when n_out > 1)."""
        node_name = self.fresh(name or op_type.lower())
        outs = [node_name if i == 0 else f"{node_name}:{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=node_name, **attrs))
        return outs[0] if n_out == 1 else outs

    def add_input(self, name, elem_type, shape):
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def add_output(self, value, name, elem_type, shape):
        """Exposes `value` as graph output `name` (through Identity so names stay stable)."""
        self.nodes.append(helper.make_node("Identity", [value], [name], name=f"{name}_out"))
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, shape))

    def build(self):
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, initializer=self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="ember/scripts/make_models.py")
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def save_model(model, path):
    """Writes to a temporary name first so an interrupted run never leaves a truncated model."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    onnx.save(model, tmp)
    os.replace(tmp, path)


# ---------------------------------------------------------------- convolutional layers

def conv(b, x, cin, cout, k, stride=1, group=1, bias=False, name="conv"):
    fan_in = (cin // group) * k * k
    w = b.rng.standard_normal((cout, cin // group, k, k)) * np.sqrt(2.0 / fan_in)
    ins = [x, b.param(f"{name}.weight", w.astype(np.float32))]
    if bias:
        ins.append(b.param(f"{name}.bias", (b.rng.standard_normal(cout) * 0.05).astype(np.float32)))
    p = k // 2
    return b.op("Conv", ins, name=name, kernel_shape=[k, k], strides=[stride, stride],
                pads=[p, p, p, p], group=group)


def batchnorm(b, x, c, gamma=(0.8, 1.2), name="bn"):
    """Inference batch norm with plausible trained statistics: small means, variances near 1.

    `gamma` is the range of the scale; residual branches use a smaller one (as trained ResNets
    do) so the sum of a dozen residual blocks does not grow without bound.
    """
    r = b.rng
    scale = r.uniform(*gamma, c)
    shift = r.normal(0.0, 0.1, c)
    mean = r.normal(0.0, 0.1, c)
    var = r.uniform(0.7, 1.3, c)
    ins = [x] + [b.param(f"{name}.{k}", v.astype(np.float32))
                 for k, v in (("scale", scale), ("bias", shift), ("mean", mean), ("var", var))]
    return b.op("BatchNormalization", ins, name=name, epsilon=1e-5)


def activation(b, x, kind):
    if kind is None:
        return x
    if kind == "relu":
        return b.op("Relu", [x])
    if kind == "relu6":  # Clip with min/max as inputs (opset >= 11 form)
        return b.op("Clip", [x, b.const_f("zero", 0.0), b.const_f("six", 6.0)], name="relu6")
    raise ValueError(f"unknown activation {kind}")


def conv_bn(b, x, cin, cout, k, stride=1, group=1, act="relu", gamma=(0.8, 1.2), name="conv"):
    y = conv(b, x, cin, cout, k, stride, group, name=name)
    return activation(b, batchnorm(b, y, cout, gamma, name=f"{name}.bn"), act)


def classifier_head(b, x, channels, classes):
    """GlobalAveragePool -> Flatten -> Gemm(channels -> classes)."""
    pooled = b.op("Flatten", [b.op("GlobalAveragePool", [x], name="gap")], name="flatten", axis=1)
    w = b.rng.standard_normal((classes, channels)) / np.sqrt(channels)
    return b.op("Gemm", [pooled, b.param("fc.weight", w.astype(np.float32)),
                         b.param("fc.bias", (b.rng.standard_normal(classes) * 0.05).astype(np.float32))],
                name="fc", transB=1)


# ---------------------------------------------------------------- transformer layers

def linear(b, x, fin, fout, name="dense"):
    """MatMul + Add with [fin, fout] weights (how exported transformers spell a dense layer)."""
    w = (b.rng.standard_normal((fin, fout)) / np.sqrt(fin)).astype(np.float32)
    y = b.op("MatMul", [x, b.param(f"{name}.weight", w)], name=f"{name}.matmul")
    bias = (b.rng.standard_normal(fout) * 0.02).astype(np.float32)
    return b.op("Add", [y, b.param(f"{name}.bias", bias)], name=f"{name}.add")


def layernorm(b, x, dim, decomposed=True, name="ln"):
    """Layer norm over the last axis, eps 1e-12 as in BERT.

    decomposed=True spells it the way older exporters do
    (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add); False uses LayerNormalization.
    """
    gamma = (1.0 + b.rng.normal(0.0, 0.1, dim)).astype(np.float32)
    beta = b.rng.normal(0.0, 0.1, dim).astype(np.float32)
    g, bt = b.param(f"{name}.gamma", gamma), b.param(f"{name}.beta", beta)
    if not decomposed:
        return b.op("LayerNormalization", [x, g, bt], name=name, axis=-1, epsilon=1e-12)
    mean = b.op("ReduceMean", [x], name=f"{name}.mean", axes=[-1], keepdims=1)  # axes attr: opset < 18
    centred = b.op("Sub", [x, mean], name=f"{name}.sub")
    sq = b.op("Pow", [centred, b.const_f("two", 2.0)], name=f"{name}.pow")
    var = b.op("ReduceMean", [sq], name=f"{name}.var", axes=[-1], keepdims=1)
    std = b.op("Sqrt", [b.op("Add", [var, b.const_f("eps", 1e-12)], name=f"{name}.add_eps")], name=f"{name}.sqrt")
    normed = b.op("Div", [centred, std], name=f"{name}.div")
    return b.op("Add", [b.op("Mul", [normed, g], name=f"{name}.mul"), bt], name=f"{name}.shift")


def gelu(b, x, name="gelu"):
    """Exact GELU through Erf: x * 0.5 * (1 + erf(x / sqrt(2)))."""
    e = b.op("Erf", [b.op("Div", [x, b.const_f("sqrt2", np.sqrt(2.0))], name=f"{name}.div")], name=f"{name}.erf")
    one_plus = b.op("Add", [e, b.const_f("one", 1.0)], name=f"{name}.add")
    return b.op("Mul", [b.op("Mul", [x, one_plus], name=f"{name}.mul"), b.const_f("half", 0.5)],
                name=f"{name}.scale")


def random_embedding(b, rows, dim, std=0.02, name="embedding"):
    return b.param(name, (b.rng.standard_normal((rows, dim)) * std).astype(np.float32))
