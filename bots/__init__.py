"""Chat surfaces (Slack) over the assistant library. Thin adapters only."""
