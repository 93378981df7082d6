"""A hidden layer between frozen sentence vectors and the six labels, fitted with PyTorch on the CPU.

One logistic regression per label can only weigh directions of the sentence vector. A shared hidden layer lets a
label depend on how directions combine (a group named, and a verdict on it, and no negation), which is what telling an
attack on a group from a sentence about it takes. Each label's loss is class-balanced like scikit-learn's
`class_weight="balanced"`, and a row whose label is unknown (NaN) adds nothing to that label's loss.
"""

import numpy as np

from ..labels import LABELS

HIDDEN_SIZE = 256  # ~100k weights; 128 units scored lower on validation, 512 and 1024 no higher
EPOCHS = 48  # validation macro ROC-AUC rose to ~0.943 by 32 to 48 epochs (121k rows: a minute on 2 cores), but see
# docs/training.md: the languages it has no training rows in lose a little as it trains longer
BATCH_SIZE = 256
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 1e-4
DROPOUT = 0.1


def class_balanced_weights(targets: np.ndarray) -> np.ndarray:
    """Per row and label, the weight `class_weight="balanced"` gives its class among the label's known rows (0 where
    the label is unknown), scaled so that every label's weights add up to the number of rows: each label counts the
    same in the shared loss however many rows annotate it."""
    known = ~np.isnan(targets)
    positives = np.nansum(targets, axis=0)
    counts = known.sum(axis=0)
    positive_weight = counts / (2 * np.maximum(positives, 1))
    negative_weight = counts / (2 * np.maximum(counts - positives, 1))
    weights = np.where(targets == 1, positive_weight, negative_weight)
    return np.where(known, weights, 0.0) / np.maximum(counts, 1) * len(targets)


def fit_hidden_head(vectors: np.ndarray, targets: np.ndarray, hidden_size: int = HIDDEN_SIZE, epochs: int = EPOCHS,
                    seed: int = 42):  # fmt: skip
    """((hidden weight, hidden bias), output weight, output bias) as float32 arrays, trained with AdamW."""
    import torch

    with torch.random.fork_rng():  # seeds the layers' initialisation without touching the caller's random state
        torch.manual_seed(seed)
        return _train(vectors, targets, hidden_size, epochs, seed)


def _train(vectors, targets, hidden_size: int, epochs: int, seed: int):
    import torch

    generator = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(np.asarray(vectors, dtype=np.float32))
    y = torch.from_numpy(np.nan_to_num(targets, nan=0.0).astype(np.float32))
    w = torch.from_numpy(class_balanced_weights(targets).astype(np.float32))
    hidden, output = torch.nn.Linear(x.shape[1], hidden_size), torch.nn.Linear(hidden_size, len(LABELS))
    net = torch.nn.Sequential(hidden, torch.nn.ReLU(), torch.nn.Dropout(DROPOUT), output)
    optimizer = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    for _ in range(epochs):
        for batch in torch.randperm(len(x), generator=generator).split(BATCH_SIZE):
            optimizer.zero_grad()
            loss = (loss_fn(net(x[batch]), y[batch]) * w[batch]).sum() / (len(batch) * len(LABELS))
            loss.backward()
            optimizer.step()
    parts = [hidden.weight, hidden.bias, output.weight, output.bias]
    weight, bias, coef, intercept = (part.detach().numpy().copy() for part in parts)
    return (weight, bias), coef, intercept
