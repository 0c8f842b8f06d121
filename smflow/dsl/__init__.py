"""smflow.dsl."""
