"""Run inside the venv the wheel was installed into (by check_wheel.sh): checks that `import
ember` comes from that venv and classifies the held-out digits, and that the `ember` console
command gives the same logits.

    python check_installed.py MODELS_DIR EMBER_COMMAND
"""
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np

import ember

models, ember_cmd = Path(sys.argv[1]), sys.argv[2]
site = Path(sysconfig.get_paths()["purelib"]).resolve()
where = Path(ember.__file__).resolve()
assert site in where.parents, f"ember imported from {where}, not from the venv ({site})"
print(f"check_installed: ember {ember.__version__} from {where.parent}")

data = np.load(models / "digits_samples.npz")
images, labels = data["images"], data["labels"]
session = ember.Session(str(models / "digits_cnn.onnx"), threads=1)
logits = session.run(None, {"input": images})[0]
accuracy = float((logits.argmax(1) == labels).mean())
print(f"check_installed: import ember: {len(labels)} held-out digits, accuracy {accuracy:.4f}")
# onnxruntime gets 0.9889 on these images (models/README.md).
assert accuracy >= 0.98, f"accuracy {accuracy:.4f} < 0.98"

version = subprocess.run([ember_cmd, "--version"], check=True, capture_output=True, text=True).stdout
assert version.strip() == f"ember {ember.__version__}", version
np.save("x.npy", images[:16])
subprocess.run([ember_cmd, "run", str(models / "digits_cnn.onnx"), "--input", "input=x.npy",
                "--output-dir", "out"], check=True)
cli_logits = np.load("out/logits.npy")
assert cli_logits.shape == (16, 10), cli_logits.shape
assert np.allclose(cli_logits, logits[:16], rtol=1e-4, atol=1e-4), "ember run differs from Session.run"
print(f"check_installed: `{ember_cmd} run` matches Session.run on 16 images")
