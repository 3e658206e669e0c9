"""Platform-free use cases: each takes plain input and a Context and returns a neutral Reply."""
