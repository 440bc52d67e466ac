"""The encoder's ONNX Runtime sessions share the cores politely."""

from __future__ import annotations

import numpy as np
from onnx import ModelProto, TensorProto, helper

from pipeline.nlp.e5_graph import session


def _identity_model() -> ModelProto:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 3])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [x], [y])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_pool_threads_do_not_spin_and_arena_is_off() -> None:
    sess = session(_identity_model(), threads=2)
    opts = sess.get_session_options()
    assert opts.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert opts.intra_op_num_threads == 2
    assert opts.inter_op_num_threads == 1
    assert not opts.enable_cpu_mem_arena
    out = sess.run(None, {"x": np.ones((2, 3), dtype=np.float32)})[0]
    assert out.shape == (2, 3)
