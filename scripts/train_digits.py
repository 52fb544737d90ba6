#!/usr/bin/env python3
"""Trains the bundled digits CNN with numpy only and exports it as ONNX.

The model is small on purpose: it ships in the repository (models/digits_cnn.onnx) so the demo,
the CLI tests and the examples have a real trained network whose accuracy can be checked
without downloading anything. Data: scikit-learn's bundled 8x8 handwritten digits.

    Conv(1->8, 3x3, pad 1) + Relu -> Conv(8->16, 3x3, pad 1) + Relu -> MaxPool 2x2
    -> Flatten -> Gemm(256->64) + Relu -> Gemm(64->10)   => "logits" [N, 10]

Forward and backward passes are written by hand (im2col convolutions, Adam); everything is
seeded so the same commands give the same model.

Usage: python scripts/train_digits.py [--out-dir models] [--epochs 40]
"""
import argparse
import os
import sys

import numpy as np

SEED = 20240517
TEST_FRACTION = 0.2


# ---------------------------------------------------------------- layers (forward + backward)

def im2col(x, k=3, pad=1):
    """[N, C, H, W] -> [N, C*k*k, H*W] for a stride-1 'same' convolution."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((n, c, k, k, h, w), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = xp[:, :, i:i + h, j:j + w]
    return cols.reshape(n, c * k * k, h * w)


def col2im(dcols, shape, k=3, pad=1):
    """Adjoint of im2col: scatters column gradients back onto the input."""
    n, c, h, w = shape
    dcols = dcols.reshape(n, c, k, k, h, w)
    dxp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=dcols.dtype)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + h, j:j + w] += dcols[:, :, i, j]
    return dxp[:, :, pad:pad + h, pad:pad + w]


def conv_forward(x, w, b):
    cols = im2col(x)
    o = w.shape[0]
    y = np.einsum("ok,nkp->nop", w.reshape(o, -1), cols) + b[None, :, None]
    n, _, h, ww = x.shape
    return y.reshape(n, o, h, ww), cols


def conv_backward(dy, x_shape, cols, w):
    n, o, h, ww = dy.shape
    dy = dy.reshape(n, o, h * ww)
    dw = np.einsum("nop,nkp->ok", dy, cols).reshape(w.shape)
    db = dy.sum(axis=(0, 2))
    dcols = np.einsum("ok,nop->nkp", w.reshape(o, -1), dy)
    return col2im(dcols, x_shape), dw, db


def maxpool_forward(x):
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
    idx = win.argmax(axis=-1)
    return np.take_along_axis(win, idx[..., None], axis=-1)[..., 0], idx


def maxpool_backward(dy, idx, shape):
    n, c, h, w = shape
    dwin = np.zeros((n, c, h // 2, w // 2, 4), dtype=dy.dtype)
    np.put_along_axis(dwin, idx[..., None], dy[..., None], axis=-1)
    return dwin.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(shape)


# ---------------------------------------------------------------- the network

def init_params(rng):
    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    return {
        "conv1.w": he((8, 1, 3, 3), 9), "conv1.b": np.zeros(8, np.float32),
        "conv2.w": he((16, 8, 3, 3), 72), "conv2.b": np.zeros(16, np.float32),
        "fc1.w": he((64, 256), 256), "fc1.b": np.zeros(64, np.float32),
        "fc2.w": he((10, 64), 64), "fc2.b": np.zeros(10, np.float32),
    }


def forward(p, x):
    """Returns logits and the cache the backward pass needs."""
    c1, cols1 = conv_forward(x, p["conv1.w"], p["conv1.b"])
    r1 = np.maximum(c1, 0)
    c2, cols2 = conv_forward(r1, p["conv2.w"], p["conv2.b"])
    r2 = np.maximum(c2, 0)
    pooled, idx = maxpool_forward(r2)
    flat = pooled.reshape(len(x), -1)
    h = flat @ p["fc1.w"].T + p["fc1.b"]
    hr = np.maximum(h, 0)
    logits = hr @ p["fc2.w"].T + p["fc2.b"]
    return logits, (x, cols1, c1, r1, cols2, c2, r2, idx, flat, h, hr)


def backward(p, cache, dlogits):
    x, cols1, c1, r1, cols2, c2, r2, idx, flat, h, hr = cache
    g = {"fc2.w": dlogits.T @ hr, "fc2.b": dlogits.sum(0)}
    dh = (dlogits @ p["fc2.w"]) * (h > 0)
    g["fc1.w"], g["fc1.b"] = dh.T @ flat, dh.sum(0)
    dpool = (dh @ p["fc1.w"]).reshape(len(x), 16, 4, 4)
    dc2 = maxpool_backward(dpool, idx, r2.shape) * (c2 > 0)
    dr1, g["conv2.w"], g["conv2.b"] = conv_backward(dc2, r1.shape, cols2, p["conv2.w"])
    dc1 = dr1 * (c1 > 0)
    _, g["conv1.w"], g["conv1.b"] = conv_backward(dc1, x.shape, cols1, p["conv1.w"])
    return g


def softmax_xent(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    prob = np.exp(z)
    prob /= prob.sum(axis=1, keepdims=True)
    loss = -np.log(prob[np.arange(len(labels)), labels] + 1e-12).mean()
    prob[np.arange(len(labels)), labels] -= 1
    return loss, prob / len(labels)


def train(x_tr, y_tr, epochs, rng, lr=2e-3, batch=32):
    p = init_params(rng)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    for epoch in range(epochs):
        order = rng.permutation(len(x_tr))
        total = 0.0
        for s in range(0, len(order), batch):
            sel = order[s:s + batch]
            logits, cache = forward(p, x_tr[sel])
            loss, dlogits = softmax_xent(logits, y_tr[sel])
            total += loss * len(sel)
            grads = backward(p, cache, dlogits.astype(np.float32))
            t += 1
            for k in p:  # Adam
                m[k] = b1 * m[k] + (1 - b1) * grads[k]
                v[k] = b2 * v[k] + (1 - b2) * grads[k] ** 2
                mh, vh = m[k] / (1 - b1 ** t), v[k] / (1 - b2 ** t)
                p[k] = (p[k] - lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        if epoch % 5 == 4 or epoch == epochs - 1:
            acc = (forward(p, x_tr)[0].argmax(1) == y_tr).mean()
            print(f"epoch {epoch + 1:3d}  loss {total / len(order):.4f}  train acc {acc:.4f}")
    return p


# ---------------------------------------------------------------- ONNX export

def export_onnx(p, path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits = [numpy_helper.from_array(v, name=k) for k, v in p.items()]
    conv = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
    nodes = [
        helper.make_node("Conv", ["input", "conv1.w", "conv1.b"], ["c1"], name="conv1", **conv),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "conv2.w", "conv2.b"], ["c2"], name="conv2", **conv),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("MaxPool", ["r2"], ["pool"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["pool"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc1.w", "fc1.b"], ["h"], name="fc1", transB=1),
        helper.make_node("Relu", ["h"], ["hr"], name="relu3"),
        helper.make_node("Gemm", ["hr", "fc2.w", "fc2.b"], ["logits"], name="fc2", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "digits_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="ember/scripts/train_digits.py")
    model.ir_version = 8  # readable by every onnxruntime that supports opset 17
    onnx.checker.check_model(model, full_check=True)
    tmp = path + ".tmp"
    onnx.save(model, tmp)
    os.replace(tmp, path)  # never leave a half-written model behind


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    ap.add_argument("--epochs", type=int, default=40)
    args = ap.parse_args()

    from sklearn.datasets import load_digits
    import onnxruntime as ort

    rng = np.random.default_rng(SEED)
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]  # pixel values are 0..16
    y = digits.target.astype(np.int64)
    order = rng.permutation(len(x))
    n_test = int(round(len(x) * TEST_FRACTION))
    test, tr = order[:n_test], order[n_test:]

    params = train(x[tr], y[tr], args.epochs, rng)
    np_acc = (forward(params, x[test])[0].argmax(1) == y[test]).mean()

    os.makedirs(args.out_dir, exist_ok=True)
    model_path = os.path.join(args.out_dir, "digits_cnn.onnx")
    export_onnx(params, model_path)
    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    logits = sess.run(["logits"], {"input": x[test]})[0]
    ort_acc = (logits.argmax(1) == y[test]).mean()
    max_diff = np.abs(logits - forward(params, x[test])[0]).max()
    print(f"held-out accuracy: numpy {np_acc:.4f}, onnxruntime {ort_acc:.4f} "
          f"({n_test} images; max |numpy - ort| logit diff {max_diff:.2e})")
    if max_diff > 1e-3:
        sys.exit("exported model disagrees with the numpy forward pass")

    samples = os.path.join(args.out_dir, "digits_samples.npz")
    np.savez_compressed(samples, images=x[test], labels=y[test])
    print(f"wrote {model_path} ({os.path.getsize(model_path)} bytes) and {samples}")


if __name__ == "__main__":
    main()
