"""smflow.asm."""
