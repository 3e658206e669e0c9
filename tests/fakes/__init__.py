"""Local stand-ins for the remote chat services (never our own code): a fake Slack Web API that records calls."""
