"""smflow.run."""
