"""Exports the three benchmark networks with PyTorch's own ONNX exporter, as a user would.

Ember's bundled models (scripts/make_models.py) are written with the onnx helper API. This
script writes the same networks through a different tool, so the fusions, verify mode and the
comparison with onnxruntime can be checked on graphs Ember's authors did not write:
  tv_resnet50.onnx, tv_mobilenet_v2.onnx  torchvision's models (random weights, eval mode)
  hf_bert_base.onnx                       Hugging Face transformers' BertModel (bert-base shape,
                                          random weights; attention through PyTorch's
                                          scaled_dot_product_attention), sequence 128
With --zoo it also writes a wider set, to catch what the three networks do not exercise
(grouped and dense convolutions, SiLU and squeeze-and-excitation, HardSwish, channel shuffles,
window attention, causal masks, other transformer encoders):
  tv_<name>.onnx   torchvision's mobilenet_v3_small/large, efficientnet_b0, shufflenet_v2_x1_0,
                   squeezenet1_1, densenet121, regnet_y_400mf, convnext_tiny, resnext50_32x4d,
                   googlenet, mnasnet1_0, vit_b_16, swin_t, alexnet, vgg11 (batch 1, 224x224)
  hf_<name>.onnx   Hugging Face distilbert, roberta (4 layers), albert (4 layers), electra
                   (4 layers), gpt2 (4 layers), a 6-layer 384-wide BERT (MiniLM's shape); inputs
                   input_ids and attention_mask with dynamic batch and sequence, output
                   last_hidden_state
Nothing is downloaded: the weights are random (seeded), which is all latency, fusion and
verify checks need.

It needs torch, torchvision and transformers, which Ember itself does not (a few GB): install
them in a separate environment, e.g.
    python3 -m venv /tmp/torch-env && /tmp/torch-env/bin/pip install torch torchvision transformers onnx
    /tmp/torch-env/bin/python benchmarks/export_torch_models.py --out-dir /tmp/exported
then, with Ember's environment:
    PYTHONPATH=build/release/python .venv/bin/python benchmarks/compare.py \\
        --models /tmp/exported/tv_resnet50.onnx,/tmp/exported/tv_mobilenet_v2.onnx,/tmp/exported/hf_bert_base.onnx
    build/release/tools/ember verify /tmp/exported/hf_bert_base.onnx
    PYTHONPATH=build/release/python .venv/bin/python benchmarks/compare.py --threads 1 \
        --models "$(ls /tmp/exported/*.onnx | paste -sd,)" --dims batch=1,seq=128
"""
import argparse
import os
import sys


def _bert(torch, transformers):
    """BertModel taking its three inputs by position, returning (last_hidden_state, pooler_output)."""

    class Wrapped(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = transformers.BertModel(transformers.BertConfig(), add_pooling_layer=True)

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state, out.pooler_output

    return Wrapped()


TORCHVISION_ZOO = ["mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0", "shufflenet_v2_x1_0",
                   "squeezenet1_1", "densenet121", "regnet_y_400mf", "convnext_tiny", "resnext50_32x4d",
                   "googlenet", "mnasnet1_0", "vit_b_16", "swin_t", "alexnet", "vgg11"]


def _encoder(torch, model):
    """A Hugging Face encoder taking (input_ids, attention_mask), returning last_hidden_state."""

    class Wrapped(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    return Wrapped()


def _hf_zoo(transformers):
    """name -> randomly initialised model, small enough configs to export in seconds."""
    t = transformers
    return {
        "hf_distilbert": t.DistilBertModel(t.DistilBertConfig()),
        "hf_roberta": t.RobertaModel(t.RobertaConfig(num_hidden_layers=4)),
        "hf_albert": t.AlbertModel(t.AlbertConfig(num_hidden_layers=4, hidden_size=768, num_attention_heads=12,
                                                  intermediate_size=3072)),
        "hf_electra": t.ElectraModel(t.ElectraConfig(num_hidden_layers=4)),
        "hf_gpt2": t.GPT2Model(t.GPT2Config(n_layer=4)),
        "hf_minilm": t.BertModel(t.BertConfig(num_hidden_layers=6, hidden_size=384, num_attention_heads=12,
                                              intermediate_size=1536)),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--seq", type=int, default=128, help="BERT sequence length (static)")
    ap.add_argument("--zoo", action="store_true", help="also write the wider set of models listed above")
    args = ap.parse_args()
    try:
        import torch
        import torchvision
        import transformers
    except ImportError as e:
        sys.exit(f"export_torch_models.py: {e}; it needs torch, torchvision and transformers (see --help)")
    torch.manual_seed(0)
    os.makedirs(args.out_dir, exist_ok=True)

    def export(model, example, name, inputs, outputs, dynamic_axes=None):
        path = os.path.join(args.out_dir, name + ".onnx")
        model.eval()
        # dynamo=False: the TorchScript exporter most deployed models were written with.
        torch.onnx.export(model, example, path, dynamo=False, opset_version=args.opset,
                          input_names=inputs, output_names=outputs, dynamic_axes=dynamic_axes)
        print(f"wrote {path} (torch {torch.__version__})")

    image = (torch.randn(1, 3, 224, 224),)
    export(torchvision.models.resnet50(), image, "tv_resnet50", ["input"], ["logits"])
    export(torchvision.models.mobilenet_v2(), image, "tv_mobilenet_v2", ["input"], ["logits"])
    ids = torch.randint(0, 30522, (1, args.seq))
    ones = torch.ones(1, args.seq, dtype=torch.int64)
    zeros = torch.zeros(1, args.seq, dtype=torch.int64)
    export(_bert(torch, transformers), (ids, ones, zeros), "hf_bert_base",
           ["input_ids", "attention_mask", "token_type_ids"], ["last_hidden_state", "pooler_output"])
    if not args.zoo:
        return
    for name in TORCHVISION_ZOO:
        extra = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
        export(getattr(torchvision.models, name)(weights=None, **extra), image, "tv_" + name, ["input"], ["logits"])
    ids = torch.randint(0, 100, (1, args.seq))
    dynamic = {n: {0: "batch", 1: "seq"} for n in ("input_ids", "attention_mask")}
    for name, model in _hf_zoo(transformers).items():
        export(_encoder(torch, model), (ids, ones), name, ["input_ids", "attention_mask"], ["last_hidden_state"],
               dynamic)


if __name__ == "__main__":
    main()
