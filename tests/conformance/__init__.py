"""Ember's ONNX backend conformance runner (see docs/conformance.md).

Modules, one job each:
  cases.py    find the test cases (onnx's node suite, light models, other on-disk kinds)
  compare.py  compare outputs with the expected ones (the rules of onnx's backend runner)
  engines.py  run one case through Ember or onnxruntime and classify the outcome
  worker.py   a long-lived subprocess that runs cases by id
  pool.py     the worker pool: timeouts, crashes, restarts
  report.py   summary table, JSON summary, baseline check/update
  run.py      the command line (python -m tests.conformance.run --help)
"""
