"""The sections of docs/results.md, rendered by the `results.py` hook beside this package (standard library only).

- `common`: constants and cell/table helpers shared by both section modules;
- `quality`: the classifiers' quality, the serving backend check, the transformer's last training pass and the
  training data;
- `reports`: explanation faithfulness, rewriting, and speed and size (benchmark JSON).
"""
