"""Wire the engine to the metrics store: evaluate every batch right after it is written."""


def register() -> bool:
    """Append evaluate_samples to the store's after-write hooks; False if there is no store."""
    try:
        from monitoring.metrics import hooks
    except ImportError:
        return False
    from .engine import evaluate_samples

    if evaluate_samples not in hooks.AFTER_WRITE:
        hooks.AFTER_WRITE.append(evaluate_samples)
    return True
