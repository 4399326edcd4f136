"""Hand-written extensions of the generated client (copied by apigen)."""
