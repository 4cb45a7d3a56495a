"""Two engines, one code path: both run ``stages.Auditor.run`` per shard and hand
each finished shard to the same checkpoints."""
