"""Loading, validating and resolving the inventory (the user's input)."""
